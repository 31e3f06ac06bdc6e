#define LOG_MODULE "kms"
#include "kms_flush.h"
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <SDL_syswm.h>
#include <libdrm/drm.h>
#include <libdrm/drm_mode.h>
#include "log.h"

#define MAX_CRTCS 8

static int
drm_fd_of(SDL_Window *window)
{
#if defined(SDL_VIDEO_DRIVER_KMSDRM)
	SDL_SysWMinfo info;
	SDL_VERSION(&info.version);
	if (SDL_GetWindowWMInfo(window, &info) && info.subsystem == SDL_SYSWM_KMSDRM)
		return info.info.kmsdrm.drm_fd;
#endif
	return -1;
}

void
kms_flush(SDL_Window *window)
{
	static bool warned;
	int fd = drm_fd_of(window);
	if (fd < 0)
		return;
	uint32_t crtcs[MAX_CRTCS];
	struct drm_mode_card_res res;
	memset(&res, 0, sizeof(res));
	if (ioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &res) != 0)
		return;
	if (res.count_crtcs > MAX_CRTCS)
		res.count_crtcs = MAX_CRTCS;
	struct drm_mode_card_res ids;
	memset(&ids, 0, sizeof(ids));
	ids.count_crtcs = res.count_crtcs;
	ids.crtc_id_ptr = (uint64_t)(uintptr_t)crtcs;
	if (ioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &ids) != 0)
		return;
	for (uint32_t i = 0; i < ids.count_crtcs && i < MAX_CRTCS; i++) {
		struct drm_mode_crtc crtc;
		memset(&crtc, 0, sizeof(crtc));
		crtc.crtc_id = crtcs[i];
		if (ioctl(fd, DRM_IOCTL_MODE_GETCRTC, &crtc) != 0 || !crtc.fb_id || !crtc.mode_valid)
			continue;
		struct drm_mode_fb_dirty_cmd dirty;
		memset(&dirty, 0, sizeof(dirty));
		dirty.fb_id = crtc.fb_id; /* no clip rects: the whole frame */
		if (ioctl(fd, DRM_IOCTL_MODE_DIRTYFB, &dirty) != 0 && errno != ENOSYS && !warned) {
			log_debug("DIRTYFB on fb %u: %s", crtc.fb_id, strerror(errno));
			warned = true;
		}
	}
}
