/* theme.h — colours and proportions. Colours are 0xRRGGBB. */
#pragma once
#include <stdint.h>

#define THEME_BG                 0x101418u
#define THEME_PANEL              0x1c2229u
#define THEME_TEXT               0xf2f4f5u
#define THEME_TEXT_DIM           0x9aa5b1u
#define THEME_FREE               0x1e8e3eu /* green */
#define THEME_BUSY               0xc5221fu /* red */
#define THEME_SOON               0xe37400u /* amber */
#define THEME_CHECKIN            0xe37400u
#define THEME_BUTTON             0x2d3640u
#define THEME_BUTTON_PRESSED     0x4a5866u
#define THEME_BUTTON_TEXT        0xffffffu
#define THEME_TIMELINE_BG        0x2a323bu
#define THEME_TIMELINE_BUSY      0xc5221fu
#define THEME_TIMELINE_TENTATIVE 0x8a6d3bu
#define THEME_NOW                0xffffffu
#define THEME_WARN               0xf9ab00u
#define THEME_ERROR_BG           0x5f2120u
