// Lets the user's own executable become a Ray worker or service before `main` (or the test
// runner) starts: see shared notes/worker-takeover.md for why a load-time constructor.
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void ray_process_takeover_main(const char *mode) __attribute__((weak));

typedef void (*init_fn)(int, char **, char **);
extern init_fn __init_array_start[] __attribute__((weak, visibility("hidden")));
extern init_fn __init_array_end[] __attribute__((weak, visibility("hidden")));

static void ray_takeover_hook(int, char **, char **);

// With a static Swift stdlib, Dispatch and Foundation initialise in constructors after ours.
static void run_remaining_constructors(int argc, char **argv, char **envp) {
    if (!__init_array_start || !__init_array_end) return;
    size_t n = __init_array_end - __init_array_start, i;
    for (i = 0; i < n; i++) if (__init_array_start[i] == ray_takeover_hook) break;
    for (i++; i < n; i++) {
        init_fn f = __init_array_start[i];
        if (f && f != (init_fn)-1) f(argc, argv, envp);
    }
}

__attribute__((constructor))
static void ray_takeover_hook(int argc, char **argv, char **envp) {
    const char *mode = getenv("RAY_PROCESS_MODE");
    if (!mode || !*mode) return;
    static char saved[64];
    strncpy(saved, mode, sizeof(saved) - 1);
    unsetenv("RAY_PROCESS_MODE");  // children of this process must not take over too
    if (!ray_process_takeover_main) {
        static const char message[] = "ray: RAY_PROCESS_MODE set but the Ray library is not linked\n";
        write(2, message, sizeof(message) - 1);
        _exit(70);
    }
    run_remaining_constructors(argc, argv, envp);
    ray_process_takeover_main(saved);
    _exit(71);  // never fall through into the user's main or the test runner
}
