/*
 * Shared helpers of libdisni: handle conversion, the exceptions the contract throws, and
 * waiting on a non-blocking file descriptor with a timeout.
 *
 * Conventions (native/README.md describes the whole contract):
 *  - a handle is a C pointer carried by Java as a jlong;
 *  - natives declared "throws IOException" throw java.io.IOException on failure, naming the
 *    failing call and the error (strerror and number), and "<call>: null handle (<what>)" for a
 *    null handle;
 *  - natives not declaring it (teardown calls, _getCmEvent, ...) never throw and return -1 for a
 *    null handle;
 *  - no native keeps or modifies a buffer Java built; output buffers are written, nothing else.
 */
#ifndef FERRY_DISNI_COMMON_H
#define FERRY_DISNI_COMMON_H

#include <stdint.h>

#include <jni.h>

/* The JNI version DiSNI 2.1's NativeDispatcher requires (its JVERBS_VERSION). */
#define DISNI_JNI_VERSION 32

#define HANDLE_TO_PTR(type, handle) ((type *)(uintptr_t)(handle))
#define PTR_TO_HANDLE(pointer) ((jlong)(uintptr_t)(pointer))

/* Throws IOException "<call> failed: <strerror> (error <n>)". */
void disni_throw_error(JNIEnv *env, const char *call, int error_number);

/* Throws IOException "<call>: <problem>". */
void disni_throw_message(JNIEnv *env, const char *call, const char *problem);

/* Throws IOException "<call>: null handle (<what>)". */
void disni_throw_null_handle(JNIEnv *env, const char *call, const char *what);

/* Throws the named unchecked exception class with "<call> failed: <strerror> (error <n>)". */
void disni_throw_unchecked(JNIEnv *env, const char *exception_class, const char *call, int error_number);

/* Sets O_NONBLOCK on fd; returns 0 or the errno of the failing fcntl. */
int disni_set_nonblocking(int fd);

/*
 * Waits until fd is readable, at most timeout_ms milliseconds (negative: no limit), resuming
 * after signals with the remaining time. Returns 1 when readable, 0 on timeout, -1 on failure
 * with errno set.
 */
int disni_await_readable(int fd, int timeout_ms);

#endif
