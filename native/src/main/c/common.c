/* XSI strerror_r and clock_gettime. */
#define _POSIX_C_SOURCE 200809L

#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define MESSAGE_CAPACITY 512

static void throw_class(JNIEnv *env, const char *exception_class, const char *message)
{
    const jclass type = (*env)->FindClass(env, exception_class);
    if (NULL != type)
    {
        (*env)->ThrowNew(env, type, message);
        (*env)->DeleteLocalRef(env, type);
    }
    /* Otherwise FindClass left NoClassDefFoundError pending, which Java sees instead. */
}

static void format_error(char *message, const size_t capacity, const char *call, const int error_number)
{
    char description[256];
    if (0 != strerror_r(error_number, description, sizeof(description)))
    {
        snprintf(description, sizeof(description), "unknown error");
    }
    snprintf(message, capacity, "%s failed: %s (error %d)", call, description, error_number);
}

void disni_throw_error(JNIEnv *env, const char *call, const int error_number)
{
    char message[MESSAGE_CAPACITY];
    format_error(message, sizeof(message), call, error_number);
    throw_class(env, "java/io/IOException", message);
}

void disni_throw_message(JNIEnv *env, const char *call, const char *problem)
{
    char message[MESSAGE_CAPACITY];
    snprintf(message, sizeof(message), "%s: %s", call, problem);
    throw_class(env, "java/io/IOException", message);
}

void disni_throw_null_handle(JNIEnv *env, const char *call, const char *what)
{
    char message[MESSAGE_CAPACITY];
    snprintf(message, sizeof(message), "%s: null handle (%s)", call, what);
    throw_class(env, "java/io/IOException", message);
}

void disni_throw_unchecked(JNIEnv *env, const char *exception_class, const char *call, const int error_number)
{
    char message[MESSAGE_CAPACITY];
    format_error(message, sizeof(message), call, error_number);
    throw_class(env, exception_class, message);
}

int disni_set_nonblocking(const int fd)
{
    const int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
    {
        return errno;
    }
    return 0;
}

static int64_t now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

int disni_await_readable(const int fd, const int timeout_ms)
{
    const int64_t deadline = now_ms() + (timeout_ms < 0 ? 0 : timeout_ms);
    int remaining = timeout_ms;
    for (;;)
    {
        struct pollfd request = { .fd = fd, .events = POLLIN, .revents = 0 };
        const int ready = poll(&request, 1, remaining);
        if (ready > 0)
        {
            return 1;
        }
        if (0 == ready)
        {
            return 0;
        }
        if (EINTR != errno)
        {
            return -1;
        }
        if (timeout_ms >= 0)
        {
            const int64_t left = deadline - now_ms();
            if (left <= 0)
            {
                return 0;
            }
            remaining = (int)left;
        }
    }
}
