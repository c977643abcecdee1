/* virtio entropy device (see virtio_rng.h). */
#include "virtio_rng.h"

#include <stdlib.h>

#define RNG_MAX_REQUEST 65536u

struct virtio_rng {
    uint64_t state; /* splitmix64 */
};

static uint64_t next64(struct virtio_rng *r)
{
    uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

struct virtio_rng *virtio_rng_new(uint64_t seed)
{
    struct virtio_rng *r = calloc(1, sizeof *r);
    if (r)
        r->state = seed ^ 0x72616e646f6d2121ull; /* "random!!": seed 0 is not state 0 */
    return r;
}

void virtio_rng_free(struct virtio_rng *r)
{
    free(r);
}

void virtio_rng_copy_state(struct virtio_rng *dst, const struct virtio_rng *src)
{
    *dst = *src;
}

static uint64_t rng_features(void *dev)
{
    (void)dev;
    return 0;
}

/* §5.4.6: the device fills the writable buffers; readable ones are not
 * expected and are ignored. */
static int64_t rng_request(void *dev, struct virtio_mmio *t, unsigned q, const struct virtio_chain *c)
{
    struct virtio_rng *r = dev;
    uint8_t buf[256];
    /* at most RNG_MAX_REQUEST bytes per request (the used length says how
     * many): a chain of huge buffers costs the host no more than that */
    uint64_t want = c->write_len < RNG_MAX_REQUEST ? c->write_len : RNG_MAX_REQUEST;
    uint64_t done = 0;
    while (done < want) {
        uint64_t n = want - done < sizeof buf ? want - done : sizeof buf;
        for (uint64_t i = 0; i < n; i += 8) {
            uint64_t v = next64(r);
            for (unsigned k = 0; k < 8 && i + k < n; k++)
                buf[i + k] = (uint8_t)(v >> (8 * k));
        }
        if (!virtio_chain_write(t, c, done, buf, n))
            return -1;
        done += n;
    }
    return (int64_t)done;
}

const struct virtio_device_ops virtio_rng_ops = {
    .name = "virtio-rng",
    .device_id = 4,
    .nqueues = 1,
    .features = rng_features,
    .request = rng_request,
};
