#ifndef PROVENANCE_CSHIM_H
#define PROVENANCE_CSHIM_H
// One non-variadic wrapper per argument type for libcurl's variadic setopt/getinfo,
// which Swift cannot call directly. Nothing else lives here.
#include <curl/curl.h>
#include <stddef.h>

typedef size_t (*pv_curl_write_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);

CURLcode pv_curl_setopt_long(CURL *curl, CURLoption option, long value);
CURLcode pv_curl_setopt_string(CURL *curl, CURLoption option, const char *value);
CURLcode pv_curl_setopt_pointer(CURL *curl, CURLoption option, void *value);
CURLcode pv_curl_setopt_slist(CURL *curl, CURLoption option, struct curl_slist *value);
CURLcode pv_curl_setopt_off(CURL *curl, CURLoption option, curl_off_t value);
CURLcode pv_curl_setopt_write_callback(CURL *curl, pv_curl_write_cb callback);
CURLcode pv_curl_getinfo_long(CURL *curl, CURLINFO info, long *value);
CURLcode pv_curl_getinfo_string(CURL *curl, CURLINFO info, const char **value);
CURLcode pv_curl_getinfo_off(CURL *curl, CURLINFO info, curl_off_t *value);
#endif
