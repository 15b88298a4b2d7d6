/* Tesseract's text lines reach its LSTM without a PNG round trip.
 *
 * Tesseract hands each text line to its LSTM as an image in memory (ImageData::SetPix), written with
 * leptonica's pixWriteMem(..., IFF_PNG) and read back at once with pixReadMem: zlib compresses and
 * decompresses every line of every page, 8 % of the instructions of a page's recognition (callgrind,
 * corpus page P01/HS001/2, 22/11/2026). Loaded into the worker before tesseract (RTLD_GLOBAL), this
 * library answers tesseract's calls to pixWriteMem: a PNG asked for by libtesseract is written in
 * leptonica's own serialised form instead (SPIX: a header and the raw pixels), which pixReadMem
 * recognises by its header and reads back exactly. Every other call goes unchanged to the leptonica
 * that the caller itself links to (found from the caller's address), so two tesseract builds in one
 * process each keep their own leptonica.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

enum { IFF_PNG = 3, IFF_SPIX = 19 };  /* leptonica's imageio.h */
enum { LEPTONICA_ERROR = 1 };

typedef int (*pix_write_mem)(unsigned char **, size_t *, void *, int);

int pixWriteMem(unsigned char **data, size_t *size, void *pix, int format);

static unsigned long lines_written_raw;

/* How many images tesseract wrote raw instead of as PNG in this process (tests read it). */
unsigned long khoso_lines_written_raw(void) {
    return __atomic_load_n(&lines_written_raw, __ATOMIC_RELAXED);
}

static pix_write_mem callers_leptonica(const void *caller, int *caller_is_tesseract) {
    Dl_info info;
    if (!dladdr(caller, &info) || info.dli_fname == NULL)
        return NULL;
    void *handle = dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
    if (handle == NULL)
        return NULL;
    /* A handle's lookup covers the object and its dependencies, where the caller's leptonica is. */
    pix_write_mem found = (pix_write_mem)dlsym(handle, "pixWriteMem");
    dlclose(handle);
    *caller_is_tesseract = strstr(info.dli_fname, "libtesseract") != NULL;
    return found == pixWriteMem ? NULL : found;
}

int pixWriteMem(unsigned char **data, size_t *size, void *pix, int format) {
    int caller_is_tesseract = 0;
    pix_write_mem leptonica = callers_leptonica(__builtin_return_address(0), &caller_is_tesseract);
    if (leptonica == NULL)
        return LEPTONICA_ERROR;
    if (format == IFF_PNG && caller_is_tesseract) {
        format = IFF_SPIX;
        __atomic_add_fetch(&lines_written_raw, 1, __ATOMIC_RELAXED);
    }
    return leptonica(data, size, pix, format);
}
