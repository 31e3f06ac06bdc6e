/* kms_flush.h — tells the display driver that the frame on screen changed (DRM DIRTYFB).
 * Some KMS drivers (virtio-gpu, and panels behind a "dumb" framebuffer) only send a frame
 * that was set with a mode set, rather than page-flipped, once it is marked dirty; the sign
 * may present once a minute, so it does not wait for the next flip to fix that. */
#pragma once
#include <SDL.h>

/* After SDL_RenderPresent on the KMSDRM driver; a no-op elsewhere and on any failure. */
void kms_flush(SDL_Window *window);
