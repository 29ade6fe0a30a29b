#include "curl_shim.h"
CURLcode trust_curl_setopt_long(CURL *curl, CURLoption option, long value) { return curl_easy_setopt(curl, option, value); }
CURLcode trust_curl_setopt_string(CURL *curl, CURLoption option, const char *value) { return curl_easy_setopt(curl, option, value); }
CURLcode trust_curl_setopt_pointer(CURL *curl, CURLoption option, void *value) { return curl_easy_setopt(curl, option, value); }
CURLcode trust_curl_getinfo_long(CURL *curl, CURLINFO info, long *value) { return curl_easy_getinfo(curl, info, value); }
CURLcode trust_curl_setopt_read_function(CURL *curl, curl_read_callback callback) { return curl_easy_setopt(curl, CURLOPT_READFUNCTION, callback); }
CURLcode trust_curl_setopt_debug_function(CURL *curl, curl_debug_callback callback) { return curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, callback); }
CURLcode trust_curl_setopt_write_function(CURL *curl, curl_write_callback callback) { return curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, callback); }
