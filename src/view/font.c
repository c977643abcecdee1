/* Text for the viewer: printable ASCII of DejaVu Sans Mono (Debian
 * fonts-dejavu-core) rendered once with SDL2_ttf into one texture, then
 * drawn glyph by glyph (monospace: one advance), so text costs a copy per
 * character per frame. Non-ASCII bytes draw as '?'. Without the font the
 * viewer still runs, without text. */
#include <SDL.h>
#include <SDL_ttf.h>
#include <stdio.h>
#include <stdlib.h>

#include "view.h"

#define FIRST 32
#define LAST 126
#define NGLYPH (LAST - FIRST + 1)

static const char *const font_paths[] = {
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
};

struct view_font {
    SDL_Texture *atlas;  /* white glyphs, alpha-blended, one row */
    int adv, h;
};

struct view_font *view_font_open(SDL_Renderer *r, int ptsize)
{
    if (!TTF_WasInit() && TTF_Init() != 0)
        return NULL;
    TTF_Font *ttf = NULL;
    for (size_t i = 0; i < sizeof font_paths / sizeof font_paths[0] && !ttf; i++)
        ttf = TTF_OpenFont(font_paths[i], ptsize);
    if (!ttf)
        return NULL;
    struct view_font *f = calloc(1, sizeof *f);
    int adv = 0;
    TTF_GlyphMetrics(ttf, 'M', NULL, NULL, NULL, NULL, &adv);
    f->adv = adv > 0 ? adv : ptsize / 2 + 1;
    f->h = TTF_FontHeight(ttf);
    SDL_Surface *all = SDL_CreateRGBSurfaceWithFormat(0, f->adv * NGLYPH, f->h, 32,
                                                      SDL_PIXELFORMAT_ARGB8888);
    SDL_Color white = { 255, 255, 255, 255 };
    for (int c = FIRST; c <= LAST && all; c++) {
        SDL_Surface *g = TTF_RenderGlyph_Blended(ttf, (Uint16)c, white);
        if (!g)
            continue;
        SDL_SetSurfaceBlendMode(g, SDL_BLENDMODE_NONE);
        SDL_Rect dst = { (c - FIRST) * f->adv, 0, g->w < f->adv ? g->w : f->adv, f->h };
        SDL_Rect src = { 0, 0, dst.w, g->h < f->h ? g->h : f->h };
        dst.h = src.h;
        SDL_BlitSurface(g, &src, all, &dst);
        SDL_FreeSurface(g);
    }
    TTF_CloseFont(ttf);
    if (all) {
        f->atlas = SDL_CreateTextureFromSurface(r, all);
        SDL_FreeSurface(all);
    }
    if (!f->atlas) {
        free(f);
        return NULL;
    }
    SDL_SetTextureBlendMode(f->atlas, SDL_BLENDMODE_BLEND);
    return f;
}

void view_font_close(struct view_font *f)
{
    if (!f)
        return;
    SDL_DestroyTexture(f->atlas);
    free(f);
}

int view_font_height(const struct view_font *f) { return f ? f->h : 12; }

int view_font_draw(struct view_font *f, SDL_Renderer *r, int x, int y, uint32_t rgb,
                   const char *text)
{
    if (!f)
        return 0;
    SDL_SetTextureColorMod(f->atlas, rgb >> 16 & 0xff, rgb >> 8 & 0xff, rgb & 0xff);
    int x0 = x;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        int c = *p >= FIRST && *p <= LAST ? *p : '?';
        if (c != ' ') {
            SDL_Rect src = { (c - FIRST) * f->adv, 0, f->adv, f->h };
            SDL_Rect dst = { x, y, f->adv, f->h };
            SDL_RenderCopy(r, f->atlas, &src, &dst);
        }
        x += f->adv;
    }
    return x - x0;
}
