/* Host side of the serial console: where guest output goes and where guest
 * input comes from. No device registers here (see uart16550.h).
 *
 * Specs:
 *   "stdio"      output to stdout; input from stdin. A terminal is put in
 *                raw mode (no echo, no line editing, ISIG off so Ctrl-C
 *                reaches the guest; output post-processing stays on) and
 *                restored by console_free or at exit. Ctrl-A x quits,
 *                Ctrl-A Ctrl-A sends one Ctrl-A, Ctrl-A h prints help.
 *                A pipe or file on stdin is read as-is (the Ctrl-A escapes
 *                still apply); its EOF closes the input.
 *   "none"       output discarded, no input.
 *   "file:PATH"  output written to PATH (created/truncated), no input.
 */
#ifndef HVSIM_CONSOLE_H
#define HVSIM_CONSOLE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct console;

#define CONSOLE_IN_FIFO 4096u

/* NULL and a message naming the bad spec or file in err on error. */
struct console *console_new(const char *spec, char *err, size_t errlen);
/* Flushes output, restores the terminal, closes files. NULL is fine. */
void console_free(struct console *c);

/* Output: buffered, flushed at '\n', when the buffer fills, and by
 * console_flush. Write errors (closed pipe, full disk) drop the output. */
void console_putc(struct console *c, uint8_t ch);
void console_flush(struct console *c);

/* Input. console_poll reads whatever the host has ready without blocking
 * into an internal FIFO of CONSOLE_IN_FIFO bytes (excess stays in the host
 * file until there is room). */
void console_poll(struct console *c);
int console_getc(struct console *c);         /* next byte or -1 */
bool console_has_input(struct console *c);   /* the FIFO holds bytes */
/* True while more bytes may still come from the host: false for "none" and
 * "file:", and once stdin reached EOF (bytes left in the FIFO do not count;
 * see console_has_input). */
bool console_input_open(struct console *c);
/* Blocks until the FIFO holds a byte (true) or input is closed (false). */
bool console_wait_input(struct console *c);
/* The user typed Ctrl-A x. */
bool console_quit_requested(struct console *c);

/* Bytes handed out by console_getc so far (replay/determinism log). */
uint64_t console_consumed(struct console *c);
/* Appends bytes to the input FIFO as if they came from the host, without
 * escape processing (replay of recorded input, tests). Returns how many
 * fitted. */
size_t console_inject(struct console *c, const uint8_t *buf, size_t len);

/* Replay: take input from a script instead of the host. Byte i becomes
 * available once now(opaque) >= times[i]. The arrays must outlive c. */
void console_set_script(struct console *c, const uint64_t *times, const uint8_t *bytes, size_t n,
                        uint64_t (*now)(void *opaque), void *opaque);

#endif
