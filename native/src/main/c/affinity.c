/*
 * com.ibm.disni.util.NativeAffinity: the CPU affinity of the calling thread as a bit mask of
 * CPUs 0 to 63. DiSNI calls it only when an affinity greater than 0 is configured.
 */
/* sched_setaffinity and the CPU_SET macros. */
#define _GNU_SOURCE

#include <errno.h>
#include <sched.h>

#include "common.h"
#include "jni/com_ibm_disni_util_NativeAffinity.h"

#define MASK_CPUS 64

JNIEXPORT void JNICALL Java_com_ibm_disni_util_NativeAffinity__1setAffinity(JNIEnv *env, jclass type, jlong mask)
{
    (void)type;
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    for (int cpu = 0; cpu < MASK_CPUS; cpu++)
    {
        if (0 != ((uint64_t)mask & ((uint64_t)1 << cpu)))
        {
            CPU_SET(cpu, &cpus);
        }
    }
    if (0 != sched_setaffinity(0, sizeof(cpus), &cpus))
    {
        /* The Java method declares no checked exception; a mask naming no usable CPU is an argument error. */
        disni_throw_unchecked(env, "java/lang/IllegalArgumentException", "sched_setaffinity", errno);
    }
}

JNIEXPORT jlong JNICALL Java_com_ibm_disni_util_NativeAffinity__1getAffinity(JNIEnv *env, jclass type)
{
    (void)type;
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    if (0 != sched_getaffinity(0, sizeof(cpus), &cpus))
    {
        disni_throw_unchecked(env, "java/lang/IllegalStateException", "sched_getaffinity", errno);
        return 0;
    }
    uint64_t mask = 0;
    for (int cpu = 0; cpu < MASK_CPUS; cpu++)
    {
        if (CPU_ISSET(cpu, &cpus))
        {
            mask |= (uint64_t)1 << cpu;
        }
    }
    return (jlong)mask;
}
