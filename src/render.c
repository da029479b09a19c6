/*
 * render.c -- DOT text to SVG, PNG or PDF by running Graphviz's `dot` program in a
 * child process. The only file that knows about Graphviz; built with
 * -DRCGC_WITH_GRAPHVIZ=OFF it says so through rci_render_available and graph.c writes DOT
 * text instead, as it does when the program cannot be found at run time.
 *
 * RENDER-ISOLATION: no Graphviz code runs in the caller's process. Each render spawns `dot`
 * (posix_spawn: safe from any thread of a multithreaded process), feeds it the DOT text on
 * its standard input, collects its standard error for the message, and waits for it. So
 * any number of threads, each with its own heap, may render at once; nothing is shared
 * between the calls but the file system. Rejected:
 *  - libgvc in the process (what rcgc did first): Graphviz keeps process-wide state (its
 *    plugin registry, error handling, layout globals) and is not thread-safe; two threads
 *    rendering crashed it, printed "Layout type: "dot" not recognized" and wrote one
 *    thread's PNG to stdout. It also exits the process when its allocator fails, which a
 *    library must never do.
 *  - libgvc behind a process-wide mutex: a writable global (STYLE 3, checked by CI), and it
 *    would serialize only rcgc's own calls, not the embedder's other uses of Graphviz.
 *  - fork() without exec, calling libgvc in the child: after fork in a multithreaded
 *    process only async-signal-safe functions may run until exec, and libgvc allocates and
 *    loads its plugins with dlopen.
 * Cost: one process start per image (a few milliseconds; the layout itself usually costs
 * more). The program is the absolute path CMake found at build time (RCGC_DOT_PROGRAM) if
 * it exists, else `dot` on the PATH.
 *
 * Signals: the DOT text goes through a socket written with MSG_NOSIGNAL, so a `dot` that
 * dies early gives an error, not a SIGPIPE in the caller. The child is waited for by its
 * pid; if the program has SIGCHLD ignored (the kernel reaps children itself) or a handler
 * reaped it first, the exit status is lost and the output file decides.
 */
#define _GNU_SOURCE
#include "graph.h"

#include <stdio.h>

#ifdef RCGC_HAVE_GRAPHVIZ
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

bool rci_render_available(void)
{
    return true;
}

/* The child's end of its standard streams and the parent's ends, all close-on-exec (the
 * child's are dup2'ed onto 0 and 2, which clears the flag there only). */
typedef struct render_fds {
    int in_parent, in_child;   /* socket pair: the DOT text */
    int err_parent, err_child; /* pipe: dot's standard error */
} render_fds;

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

static void fds_close(render_fds *f)
{
    close_fd(&f->in_parent);
    close_fd(&f->in_child);
    close_fd(&f->err_parent);
    close_fd(&f->err_child);
}

static bool fds_open(render_fds *f)
{
    int sv[2], pv[2];
    f->in_parent = f->in_child = f->err_parent = f->err_child = -1;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return false;
    f->in_parent = sv[0];
    f->in_child = sv[1];
    if (pipe2(pv, O_CLOEXEC) != 0)
        return false;
    f->err_parent = pv[0];
    f->err_child = pv[1];
    return true;
}

/* Starts `dot -T<format> -o <out_path>` with stdin and stderr on f's child ends and
 * stdout on /dev/null. Returns 0 with *pid set, or the errno of the failure. */
static int spawn_dot(const render_fds *f, const char *format, const char *out_path, pid_t *pid)
{
    char tflag[16];
    snprintf(tflag, sizeof tflag, "-T%s", format);
    char *argv[] = {(char *)"dot", tflag, (char *)"-o", (char *)out_path, NULL};
    posix_spawn_file_actions_t fa;
    int err = posix_spawn_file_actions_init(&fa);
    if (err != 0)
        return err;
    if ((err = posix_spawn_file_actions_adddup2(&fa, f->in_child, 0)) == 0 &&
        (err = posix_spawn_file_actions_adddup2(&fa, f->err_child, 2)) == 0 &&
        (err = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0)) == 0) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
        /* descriptors the embedder opened without close-on-exec stay out of the child */
        err = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
    }
    if (err == 0) {
        const char *prog = "dot";
#ifdef RCGC_DOT_PROGRAM
        if (access(RCGC_DOT_PROGRAM, X_OK) == 0)
            prog = RCGC_DOT_PROGRAM;
#endif
        err = prog[0] == '/' ? posix_spawn(pid, prog, &fa, NULL, argv, environ)
                             : posix_spawnp(pid, prog, &fa, NULL, argv, environ);
    }
    posix_spawn_file_actions_destroy(&fa);
    return err;
}

/* Writes the DOT text to the child and reads its standard error (the first why_cap - 1
 * bytes are kept in why, newlines as spaces) until the text is sent and the child has
 * closed its standard error. Returns 0 or an errno; EPIPE means the child stopped reading
 * (it failed: its status and message say why). */
static int exchange(render_fds *f, const char *dot, size_t dot_bytes, char *why, size_t why_cap)
{
    size_t sent = 0, kept = 0;
    int result = 0;
    while (f->err_parent >= 0 || f->in_parent >= 0) {
        struct pollfd p[2];
        nfds_t n = 0;
        int at_err = -1, at_in = -1;
        if (f->err_parent >= 0) {
            p[n] = (struct pollfd){f->err_parent, POLLIN, 0};
            at_err = (int)n++;
        }
        if (f->in_parent >= 0) {
            p[n] = (struct pollfd){f->in_parent, POLLOUT, 0};
            at_in = (int)n++;
        }
        if (poll(p, n, -1) < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        if (at_in >= 0 && (p[at_in].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t w = send(f->in_parent, dot + sent, dot_bytes - sent, MSG_NOSIGNAL);
            if (w > 0)
                sent += (size_t)w;
            if (w < 0 && errno != EINTR && errno != EAGAIN) {
                result = errno;
                close_fd(&f->in_parent);
            } else if (sent == dot_bytes) {
                close_fd(&f->in_parent); /* end of input */
            }
        }
        if (at_err >= 0 && (p[at_err].revents & (POLLIN | POLLERR | POLLHUP))) {
            char buf[512];
            ssize_t r = read(f->err_parent, buf, sizeof buf);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0) {
                close_fd(&f->err_parent);
                continue;
            }
            for (ssize_t i = 0; i < r && kept + 1 < why_cap; i++)
                why[kept++] = buf[i] == '\n' || buf[i] == '\r' ? ' ' : buf[i];
            why[kept] = '\0';
        }
    }
    return result;
}

/* The child's exit: 0 success, -1 status lost (SIGCHLD ignored or reaped elsewhere), or
 * the exit code / 128 + the signal number. */
static int wait_child(pid_t pid)
{
    int status;
    for (;;) {
        if (waitpid(pid, &status, 0) == pid)
            break;
        if (errno != EINTR)
            return -1;
    }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
}

rc_status rci_render(const char *dot, size_t dot_bytes, const char *format, const char *out_path,
                     char *why, size_t why_cap, bool *unavailable)
{
    *unavailable = false;
    char err_text[200] = "";
    render_fds f;
    if (!fds_open(&f)) {
        snprintf(why, why_cap, "cannot make pipes for Graphviz's dot: %s", strerror(errno));
        fds_close(&f);
        return RC_EOS;
    }
    pid_t pid;
    int err = spawn_dot(&f, format, out_path, &pid);
    if (err != 0) {
        fds_close(&f);
        *unavailable = err == ENOENT || err == EACCES || err == ENOEXEC;
        snprintf(why, why_cap, "cannot run Graphviz's dot program: %s", strerror(err));
        return RC_EOS;
    }
    close_fd(&f.in_child);
    close_fd(&f.err_child);
    err = exchange(&f, dot, dot_bytes, err_text, sizeof err_text);
    fds_close(&f);
    int code = wait_child(pid);
    struct stat st;
    if (code == -1 && stat(out_path, &st) == 0 && st.st_size > 0)
        code = 0; /* the status was lost; the picture is there */
    if (code == 0)
        return RC_OK;
    if (code == -1)
        snprintf(why, why_cap, "Graphviz's dot exit status was lost and it wrote nothing%s%s",
                 err_text[0] ? ": " : "", err_text);
    else if (code > 128)
        snprintf(why, why_cap, "Graphviz's dot was killed by signal %d%s%s", code - 128,
                 err_text[0] ? ": " : "", err_text);
    else if (err != 0 && err != EPIPE)
        snprintf(why, why_cap, "cannot send the DOT text to Graphviz's dot: %s", strerror(err));
    else
        snprintf(why, why_cap, "Graphviz's dot -T%s failed (exit %d)%s%s", format, code,
                 err_text[0] ? ": " : "", err_text);
    return RC_EINVAL;
}

#else

bool rci_render_available(void)
{
    return false;
}

rc_status rci_render(const char *dot, size_t dot_bytes, const char *format, const char *out_path,
                     char *why, size_t why_cap, bool *unavailable)
{
    (void)dot;
    (void)dot_bytes;
    (void)out_path;
    *unavailable = true;
    snprintf(why, why_cap, "rcgc was built without Graphviz; cannot render %s", format);
    return RC_EINVAL;
}

#endif
