#ifndef TRUST_CURL_SHIM_H
#define TRUST_CURL_SHIM_H
#include <curl/curl.h>
/* Typed wrappers for the variadic curl_easy_setopt/getinfo, which Swift cannot call. */
CURLcode trust_curl_setopt_long(CURL *curl, CURLoption option, long value);
CURLcode trust_curl_setopt_string(CURL *curl, CURLoption option, const char *value);
CURLcode trust_curl_setopt_pointer(CURL *curl, CURLoption option, void *value);
CURLcode trust_curl_getinfo_long(CURL *curl, CURLINFO info, long *value);
/* Callbacks get their own typed setters so Swift passes a C function pointer, not a cast. */
CURLcode trust_curl_setopt_read_function(CURL *curl, curl_read_callback callback);
CURLcode trust_curl_setopt_debug_function(CURL *curl, curl_debug_callback callback);
CURLcode trust_curl_setopt_write_function(CURL *curl, curl_write_callback callback);
#endif
