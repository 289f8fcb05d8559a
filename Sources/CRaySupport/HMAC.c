#include "CRaySupport.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

// The cluster token's challenge and response needs one keyed hash; libcrypto is on every machine
// that builds this, and a C call costs nothing at build time (swift-crypto would cost minutes).
int cray_hmac_sha256(const void *key, size_t key_length, const void *data, size_t length, unsigned char out[32]) {
    unsigned int written = 0;
    if (!HMAC(EVP_sha256(), key, (int)key_length, data, length, out, &written)) return -1;
    return written == 32 ? 0 : -1;
}
