/* Host side of the serial console (see console.h). All functions accept a
 * NULL console and then behave like "none". */
#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define CONSOLE_OUT_BUF 4096u
#define CTRL_A 0x01

struct console {
    int in_fd;          /* -1: no input */
    int out_fd;         /* -1: output discarded */
    bool close_out;     /* out_fd is ours (file:) */
    bool raw;           /* this console put the terminal in raw mode */
    bool in_eof;
    bool out_broken;    /* a write failed: drop further output */
    bool esc;           /* Ctrl-A seen, waiting for the command byte */
    bool quit;
    uint8_t in[CONSOLE_IN_FIFO];
    size_t in_head, in_count;
    uint8_t out[CONSOLE_OUT_BUF];
    size_t out_len;
    uint64_t consumed;
    /* Replay: input comes from a recorded script, each byte available from
     * its recorded virtual time on (console_set_script). */
    const uint64_t *script_time;
    const uint8_t *script_byte;
    size_t script_len, script_pos;
    uint64_t (*now)(void *opaque);
    void *now_opaque;
};

/* The terminal is a process-wide resource and atexit() handlers take no
 * argument, so the saved terminal state is the one piece of file-scope
 * mutable state in hvsim: it exists only to restore the user's terminal if
 * the process exits without console_free (exit() on an error path). */
static struct termios console_saved_tios;
static int console_raw_users;
static bool console_atexit_done;

static void console_restore_tty(void)
{
    if (console_raw_users > 0) {
        tcsetattr(STDIN_FILENO, TCSADRAIN, &console_saved_tios);
        console_raw_users = 0;
    }
}

static void console_make_raw(struct console *c)
{
    struct termios t;
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &t) != 0)
        return;
    if (console_raw_users == 0)
        console_saved_tios = t;
    else
        t = console_saved_tios;
    /* Raw input like cfmakeraw(), but output post-processing (ONLCR) stays
     * on so a guest printing bare "\n" still starts new lines. */
    t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR |
                             ICRNL | IXON);
    t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
    t.c_cflag |= CS8;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &t) != 0)
        return;
    if (!console_atexit_done) {
        atexit(console_restore_tty);
        console_atexit_done = true;
    }
    console_raw_users++;
    c->raw = true;
}

struct console *console_new(const char *spec, char *err, size_t errlen)
{
    if (!spec) {
        if (err && errlen)
            snprintf(err, errlen, "console: no spec given (use stdio, none or file:PATH)");
        return NULL;
    }
    struct console *c = calloc(1, sizeof(*c));
    if (!c) {
        if (err && errlen)
            snprintf(err, errlen, "console '%s': out of memory", spec);
        return NULL;
    }
    c->in_fd = -1;
    c->out_fd = -1;
    if (strcmp(spec, "stdio") == 0) {
        c->out_fd = STDOUT_FILENO;
        if (fcntl(STDIN_FILENO, F_GETFL) != -1) {
            c->in_fd = STDIN_FILENO;
            console_make_raw(c);
        }
    } else if (strcmp(spec, "none") == 0) {
        /* nothing */
    } else if (strncmp(spec, "file:", 5) == 0) {
        const char *path = spec + 5;
        if (!*path) {
            if (err && errlen)
                snprintf(err, errlen, "console '%s': missing file name after 'file:'", spec);
            free(c);
            return NULL;
        }
        c->out_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (c->out_fd < 0) {
            if (err && errlen)
                snprintf(err, errlen, "console '%s': cannot open '%s': %s", spec, path,
                         strerror(errno));
            free(c);
            return NULL;
        }
        c->close_out = true;
    } else {
        if (err && errlen)
            snprintf(err, errlen, "console '%s': unknown kind (use stdio, none or file:PATH)",
                     spec);
        free(c);
        return NULL;
    }
    return c;
}

void console_free(struct console *c)
{
    if (!c)
        return;
    console_flush(c);
    if (c->raw && console_raw_users > 0 && --console_raw_users == 0)
        tcsetattr(STDIN_FILENO, TCSADRAIN, &console_saved_tios);
    if (c->close_out)
        close(c->out_fd);
    free(c);
}

/* ---- output ----------------------------------------------------------- */

void console_flush(struct console *c)
{
    if (!c)
        return;
    size_t done = 0;
    while (done < c->out_len && !c->out_broken) {
        ssize_t n = write(c->out_fd, c->out + done, c->out_len - done);
        if (n > 0) {
            done += (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            /* someone made stdout non-blocking: wait until it drains */
            struct pollfd pfd = { .fd = c->out_fd, .events = POLLOUT };
            if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
                c->out_broken = true;
        } else {
            c->out_broken = true;
        }
    }
    c->out_len = 0;
}

void console_putc(struct console *c, uint8_t ch)
{
    if (!c || c->out_fd < 0 || c->out_broken)
        return;
    c->out[c->out_len++] = ch;
    if (ch == '\n' || c->out_len == sizeof(c->out))
        console_flush(c);
}

/* ---- input ------------------------------------------------------------ */

static void fifo_push(struct console *c, uint8_t ch)
{
    if (c->in_count == sizeof(c->in))
        return; /* callers make room first; never overwrite */
    c->in[(c->in_head + c->in_count) % sizeof(c->in)] = ch;
    c->in_count++;
}

static void console_help(void)
{
    static const char msg[] =
        "\r\nC-a h    print this help\r\n"
        "C-a x    exit hvsim\r\n"
        "C-a C-a  send C-a to the guest\r\n";
    if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
        /* nothing useful to do */
    }
}

/* QEMU-style escapes: Ctrl-A starts a two-byte command. */
static void console_in_byte(struct console *c, uint8_t ch)
{
    if (c->esc) {
        c->esc = false;
        switch (ch) {
        case CTRL_A: fifo_push(c, CTRL_A); break;
        case 'x': case 'X': c->quit = true; break;
        case 'h': case 'H': case '?': console_help(); break;
        default: break; /* unknown command: dropped */
        }
        return;
    }
    if (ch == CTRL_A)
        c->esc = true;
    else
        fifo_push(c, ch);
}

void console_poll(struct console *c)
{
    if (!c || c->in_fd < 0 || c->in_eof)
        return;
    while (c->in_count < sizeof(c->in)) {
        struct pollfd pfd = { .fd = c->in_fd, .events = POLLIN };
        int r = poll(&pfd, 1, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return;
        if (!(pfd.revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)))
            return;
        uint8_t buf[CONSOLE_IN_FIFO];
        ssize_t n = read(c->in_fd, buf, sizeof(c->in) - c->in_count);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) {
            c->in_eof = true; /* EOF or a read error closes the input */
            return;
        }
        for (ssize_t i = 0; i < n; i++)
            console_in_byte(c, buf[i]);
    }
}

void console_set_script(struct console *c, const uint64_t *times, const uint8_t *bytes, size_t n,
                        uint64_t (*now)(void *opaque), void *opaque)
{
    c->script_time = times;
    c->script_byte = bytes;
    c->script_len = n;
    c->script_pos = 0;
    c->now = now;
    c->now_opaque = opaque;
}

static bool script_ready(struct console *c)
{
    return c->script_pos < c->script_len &&
           c->script_time[c->script_pos] <= c->now(c->now_opaque);
}

int console_getc(struct console *c)
{
    if (c && c->script_time) {
        if (!script_ready(c))
            return -1;
        c->consumed++;
        return c->script_byte[c->script_pos++];
    }
    if (!c || c->in_count == 0)
        return -1;
    uint8_t ch = c->in[c->in_head];
    c->in_head = (c->in_head + 1) % sizeof(c->in);
    c->in_count--;
    c->consumed++;
    return ch;
}

bool console_has_input(struct console *c)
{
    if (c && c->script_time)
        return script_ready(c);
    return c && c->in_count > 0;
}

bool console_input_open(struct console *c)
{
    if (c && c->script_time)
        return false; /* a replay never waits for the host */
    return c && c->in_fd >= 0 && !c->in_eof;
}

bool console_wait_input(struct console *c)
{
    if (!c)
        return false;
    for (;;) {
        if (c->in_count > 0)
            return true;
        if (c->in_fd < 0 || c->in_eof || c->quit)
            return false; /* closed, or the user asked to quit */
        struct pollfd pfd = { .fd = c->in_fd, .events = POLLIN };
        if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
            c->in_eof = true;
            return false;
        }
        console_poll(c);
    }
}

bool console_quit_requested(struct console *c)
{
    return c && c->quit;
}

uint64_t console_consumed(struct console *c)
{
    return c ? c->consumed : 0;
}

size_t console_inject(struct console *c, const uint8_t *buf, size_t len)
{
    if (!c || !buf)
        return 0;
    size_t n = 0;
    while (n < len && c->in_count < sizeof(c->in))
        fifo_push(c, buf[n++]);
    return n;
}
