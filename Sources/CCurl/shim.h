#ifndef PROVENANCE_CCURL_H
#define PROVENANCE_CCURL_H
#include <curl/curl.h>
#endif
