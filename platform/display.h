/* display.h — the panel's window: SDL's window and renderer chosen for the video driver, the
 * rotation of a panel mounted sideways, the panel's dpi, and touches mapped back to the frame. */
#pragma once
#include <SDL2/SDL.h>
#include <stdbool.h>
#include "config.h"

struct display {
	SDL_Window *window;
	SDL_Renderer *renderer;
	SDL_Texture *target; /* rotated panels: the frame is drawn here first */
	int width, height;   /* the frame's size: logical, after rotation */
	int rotate;          /* 0, 90, 180, 270 */
	int dpi;             /* [display] dpi; 0: ask the display */
};

/* Starts SDL's video and opens the window: width × height, or the whole display when either is
 * 0. false: logged why (the caller ends; display_close still frees what was made). */
bool display_open(struct display *d, int width, int height, enum renderer_choice choice, int rotate, int dpi);
void display_close(struct display *d); /* accepts a display that failed to open */
/* The panel's dots per inch: [display] dpi, else the display's own if plausible, else 96. */
float display_dpi(const struct display *d);
/* Draw the frame between these two: begin aims the renderer at the rotation target, present
 * rotates it onto the screen and shows it. */
void display_begin(struct display *d);
void display_present(struct display *d);
/* The window's size changed: width and height again (a rotated panel keeps its target's). */
void display_resized(struct display *d);
/* A touch at the renderer's pixel (px, py) in the frame's coordinates (undoing the rotation). */
void display_to_logical(const struct display *d, int px, int py, int *lx, int *ly);
