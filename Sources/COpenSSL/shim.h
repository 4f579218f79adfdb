#ifndef PROVENANCE_COPENSSL_H
#define PROVENANCE_COPENSSL_H
// OpenSSL 3.0's libcrypto: EVP digests and MACs, BIGNUM and EC arithmetic, KDFs, CSPRNG.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#endif
