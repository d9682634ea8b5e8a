/* HMAC-SHA256 (lowercase hex) of many short identifiers at once: the optional speed-up of
 * `analysis.ingest.fast_hmac` (without it, DuckDB computes the same pseudonyms).
 *
 * The keyed inner and outer SHA-256 states (RFC 2104: the key's ipad and opad blocks) are
 * computed once per call; each message then costs one compression for the inner hash when it
 * fits one block with its padding (<= 55 bytes, every NIK and KPJ number) and one for the outer
 * hash, both through OpenSSL's SHA256_Transform, which uses the CPU's SHA instructions where
 * present. Longer messages go through SHA256_Update/Final on a copy of the inner state.
 *
 * hex_into(ipad, opad, offsets, data, valid, start, stop, out_offsets, out): rows [start, stop)
 * of an Arrow large_string array (int64 `offsets` into `data`; `valid` one byte per row or None)
 * written as 64 hex characters at out[out_offsets[row]]; invalid rows are skipped. The loop runs
 * without the GIL, so two threads hash two halves at once.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>
#include <stdint.h>
#include <string.h>

static const char HEX[] = "0123456789abcdef";

static void state_bytes(const SHA256_CTX *c, unsigned char *out) {
    for (int i = 0; i < 8; i++) {
        uint32_t w = (uint32_t)c->h[i];
        out[4 * i] = (unsigned char)(w >> 24);
        out[4 * i + 1] = (unsigned char)(w >> 16);
        out[4 * i + 2] = (unsigned char)(w >> 8);
        out[4 * i + 3] = (unsigned char)w;
    }
}

static void hmac_one(const SHA256_CTX *inner_key, const SHA256_CTX *outer_key,
                     const unsigned char *msg, size_t len, char *hex) {
    unsigned char inner[32], block[64], digest[32];
    SHA256_CTX c = *inner_key;
    if (len <= 55) { /* msg || 0x80 || zeros || bit length of (ipad block + msg), one block */
        memcpy(block, msg, len);
        block[len] = 0x80;
        memset(block + len + 1, 0, 55 - len);
        uint64_t bits = (64 + (uint64_t)len) * 8;
        for (int i = 0; i < 8; i++) block[63 - i] = (unsigned char)(bits >> (8 * i));
        SHA256_Transform(&c, block);
        state_bytes(&c, inner);
    } else {
        SHA256_Update(&c, msg, len);
        SHA256_Final(inner, &c);
    }
    c = *outer_key; /* inner digest (32 bytes) || 0x80 || zeros || 768 bits */
    memcpy(block, inner, 32);
    block[32] = 0x80;
    memset(block + 33, 0, 29);
    block[62] = 0x03;
    block[63] = 0x00;
    SHA256_Transform(&c, block);
    state_bytes(&c, digest);
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = HEX[digest[i] >> 4];
        hex[2 * i + 1] = HEX[digest[i] & 15];
    }
}

static PyObject *hex_into(PyObject *self, PyObject *args) {
    Py_buffer ipad, opad, offsets, data, valid = {0}, out_offsets, out;
    PyObject *valid_obj;
    Py_ssize_t start, stop;
    if (!PyArg_ParseTuple(args, "y*y*y*y*Onny*w*", &ipad, &opad, &offsets, &data, &valid_obj,
                          &start, &stop, &out_offsets, &out))
        return NULL;
    int have_valid = valid_obj != Py_None;
    PyObject *result = NULL;
    if (have_valid && PyObject_GetBuffer(valid_obj, &valid, PyBUF_SIMPLE) < 0) goto done;
    const int64_t *off = (const int64_t *)offsets.buf, *out_off = (const int64_t *)out_offsets.buf;
    Py_ssize_t rows = offsets.len / 8 - 1;
    if (ipad.len != 64 || opad.len != 64 || start < 0 || stop < start || stop > rows ||
        out_offsets.len / 8 < stop + 1 || (have_valid && valid.len < stop)) {
        PyErr_SetString(PyExc_ValueError, "hex_into: buffers do not match the rows asked for");
        goto done;
    }
    for (Py_ssize_t r = start; r < stop; r++) { /* every row inside its buffers, checked first */
        int used = !have_valid || ((const unsigned char *)valid.buf)[r];
        if (used && (off[r] < 0 || off[r + 1] < off[r] || off[r + 1] > data.len ||
                     out_off[r] < 0 || out_off[r] + 64 > out.len)) {
            PyErr_SetString(PyExc_ValueError, "hex_into: an offset points outside its buffer");
            goto done;
        }
    }
    SHA256_CTX inner_key, outer_key;
    SHA256_Init(&inner_key);
    SHA256_Update(&inner_key, ipad.buf, 64);
    SHA256_Init(&outer_key);
    SHA256_Update(&outer_key, opad.buf, 64);
    const unsigned char *bytes = (const unsigned char *)data.buf;
    const unsigned char *flags = have_valid ? (const unsigned char *)valid.buf : NULL;
    char *hex = (char *)out.buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t r = start; r < stop; r++) {
        if (flags && !flags[r]) continue;
        hmac_one(&inner_key, &outer_key, bytes + off[r], (size_t)(off[r + 1] - off[r]),
                 hex + out_off[r]);
    }
    Py_END_ALLOW_THREADS
    result = Py_NewRef(Py_None);
done:
    PyBuffer_Release(&ipad);
    PyBuffer_Release(&opad);
    PyBuffer_Release(&offsets);
    PyBuffer_Release(&data);
    if (have_valid && valid.obj != NULL) PyBuffer_Release(&valid);
    PyBuffer_Release(&out_offsets);
    PyBuffer_Release(&out);
    return result;
}

static PyMethodDef METHODS[] = {
    {"hex_into", hex_into, METH_VARARGS,
     "HMAC-SHA256 hex of rows [start, stop) of an Arrow large_string array into `out`."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {
    PyModuleDef_HEAD_INIT, "_fast_hmac",
    "HMAC-SHA256 of many identifiers with precomputed keyed states (OpenSSL).", -1, METHODS,
};

PyMODINIT_FUNC PyInit__fast_hmac(void) { return PyModule_Create(&MODULE); }
