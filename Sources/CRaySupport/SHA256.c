#include "CRaySupport.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <unistd.h>

// Programs are shipped to other nodes by their content's SHA-256 (docs/ARCHITECTURE.md,
// "Programs on every node"); libcrypto is linked already for the token's HMAC.
int cray_sha256(const void *data, size_t length, unsigned char out[32]) {
    unsigned int written = 0;
    if (!EVP_Digest(data, length, out, &written, EVP_sha256(), NULL)) return -1;
    return written == 32 ? 0 : -1;
}

long long cray_sha256_fd(int fd, unsigned char out[32]) {
    // On the heap: a thread-local buffer this large would be carved out of every thread's stack.
    enum { buffer_size = 1 << 20 };
    unsigned char *buffer = malloc(buffer_size);
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    if (!buffer || !context) {
        free(buffer);
        EVP_MD_CTX_free(context);
        return -ENOMEM;
    }
    long long total = 0;
    int result = EVP_DigestInit_ex(context, EVP_sha256(), NULL) ? 0 : -EIO;
    while (result == 0) {
        ssize_t count = pread(fd, buffer, buffer_size, (off_t)total);
        if (count < 0) {
            if (errno == EINTR) continue;
            result = -errno;
        } else if (count == 0) {
            break;
        } else if (!EVP_DigestUpdate(context, buffer, (size_t)count)) {
            result = -EIO;
        } else {
            total += count;
        }
    }
    unsigned int written = 0;
    if (result == 0 && (!EVP_DigestFinal_ex(context, out, &written) || written != 32)) result = -EIO;
    EVP_MD_CTX_free(context);
    free(buffer);
    return result == 0 ? total : result;
}
