/* Deterministic Graph500-style R-MAT (Kronecker) edge-list generator.
 *
 * usage: gen_rmat SCALE [EDGE_FACTOR [PREFIX]]
 * Writes EDGE_FACTOR * 2^SCALE edges "SRC DST\n" to standard output. Each
 * edge picks one quadrant per bit level with the Graph500 initiator
 * probabilities a=0.57, b=0.19, c=0.19 (d=0.05); vertex labels are then
 * scrambled by a random permutation of [0, 2^SCALE), as Graph500 does.
 * Self loops and duplicate edges are kept. PREFIX, when given, is written
 * before every name (the string-named variant of the same graph).
 * The random stream is xoshiro256** seeded by splitmix64 from a fixed
 * seed, so a given SCALE and EDGE_FACTOR always give the same file.
 * The node with the highest out-degree (the smallest label on a tie), the
 * benchmark's root, is reported on standard error as "root NAME". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng[4];

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t next(void)
{
    uint64_t r = rotl(rng[1] * 5, 7) * 9, t = rng[1] << 17;
    rng[2] ^= rng[0];
    rng[3] ^= rng[1];
    rng[1] ^= rng[2];
    rng[0] ^= rng[3];
    rng[2] ^= t;
    rng[3] = rotl(rng[3], 45);
    return r;
}

/* One R-MAT edge: 16 random bits decide each level's quadrant. */
static void edge(int scale, uint64_t *u, uint64_t *v)
{
    const uint32_t a = 37355, ab = 49807, abc = 62259; /* 0.57, 0.76, 0.95 of 65536 */
    uint64_t s = 0, d = 0, bits = 0;
    for (int level = 0; level < scale; level++) {
        if (level % 4 == 0)
            bits = next();
        uint32_t r = (uint32_t)(bits & 0xffff);
        bits >>= 16;
        s = s << 1 | (r >= ab);
        d = d << 1 | ((r >= a && r < ab) || r >= abc);
    }
    *u = s;
    *v = d;
}

static char *put_name(char *o, const char *prefix, size_t plen, uint64_t x)
{
    char tmp[24];
    int n = 0;
    memcpy(o, prefix, plen);
    o += plen;
    do {
        tmp[n++] = (char)('0' + x % 10);
        x /= 10;
    } while (x);
    while (n)
        *o++ = tmp[--n];
    return o;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 4) {
        fputs("usage: gen_rmat SCALE [EDGE_FACTOR [PREFIX]]\n", stderr);
        return 2;
    }
    int scale = atoi(argv[1]);
    uint64_t factor = argc > 2 ? strtoull(argv[2], NULL, 10) : 16;
    const char *prefix = argc > 3 ? argv[3] : "";
    size_t plen = strlen(prefix);
    if (scale < 1 || scale > 32 || factor < 1 || plen > 64) {
        fputs("gen_rmat: SCALE must be 1..32, EDGE_FACTOR >= 1, PREFIX short\n", stderr);
        return 2;
    }
    uint64_t seed = 20260101, n = (uint64_t)1 << scale, m = factor * n;
    for (int i = 0; i < 4; i++)
        rng[i] = splitmix(&seed);
    uint32_t *perm = malloc(n * sizeof *perm);
    if (!perm)
        return 1;
    for (uint64_t i = 0; i < n; i++)
        perm[i] = (uint32_t)i;
    for (uint64_t i = n - 1; i > 0; i--) {
        uint64_t j = next() % (i + 1);
        uint32_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    uint32_t *outdeg = calloc(n, sizeof *outdeg);
    if (!outdeg)
        return 1;
    static char buf[1 << 20];
    size_t used = 0;
    for (uint64_t k = 0; k < m; k++) {
        uint64_t u, v;
        edge(scale, &u, &v);
        outdeg[perm[u]]++;
        char *o = put_name(buf + used, prefix, plen, perm[u]);
        *o++ = ' ';
        o = put_name(o, prefix, plen, perm[v]);
        *o++ = '\n';
        used = (size_t)(o - buf);
        if (used > sizeof buf - 256) {
            fwrite(buf, 1, used, stdout);
            used = 0;
        }
    }
    fwrite(buf, 1, used, stdout);
    uint64_t best = 0;
    for (uint64_t i = 1; i < n; i++)
        if (outdeg[i] > outdeg[best])
            best = i;
    fprintf(stderr, "root %s%llu\n", prefix, (unsigned long long)best);
    free(outdeg);
    free(perm);
    return fflush(stdout) == 0 ? 0 : 1;
}
