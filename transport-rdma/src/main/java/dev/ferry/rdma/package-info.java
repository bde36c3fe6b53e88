/**
 * The RDMA bulk transport's front: its {@link java.util.ServiceLoader} provider, what it checks
 * before saying the transport can run (a device, an IPv4 address on its netdev, the library), the
 * locator format peers exchange, and how Ferry's {@code libdisni.so} is found and loaded.
 * <p>
 * <b>The library.</b> DiSNI's {@code NativeDispatcher} calls {@code System.loadLibrary("disni")} in
 * its static initializer, and {@code java.library.path} cannot change in a running JVM. So the
 * library comes from the {@code ferry-native} jar's resource
 * {@code META-INF/native/linux-x86_64/libdisni.so}, copied once to
 * {@code ${java.io.tmpdir}/ferry-native-USER/SHA256-PREFIX/libdisni.so} (owner-only, checked by
 * hash before reuse), and DiSNI plus the implementation package {@code dev.ferry.rdma.verbs} are
 * loaded by a child-first class loader whose {@code findLibrary("disni")} returns that file. Override
 * with {@code -Dferry.rdma.library=/abs/path/libdisni.so}. One such loader per JVM: a native library
 * can belong to one class loader only.
 * <p>
 * <b>Settings.</b> {@code -Dferry.rdma.address=IP} (or {@code FERRY_RDMA_ADDRESS}) names the address
 * to listen on, otherwise the first IPv4 address of the netdev of the first RDMA device;
 * {@code -Dferry.rdma.timeoutMs} bounds resolving the peer's address and route (5000),
 * {@code -Dferry.rdma.connectTimeoutMs} the handshake (20000: it must outlast the kernel's resending
 * of a lost handshake message, about 4.6 s on RoCE);
 * {@code -Dferry.rdma.sendQueueDepth} is the RDMA READs in flight per peer (128).
 * <p>
 * Must never: load DiSNI through the application class loader, load a library file another user
 * could have written, or touch DiSNI types outside {@code dev.ferry.rdma.verbs} (they would be
 * another loader's classes).
 */
package dev.ferry.rdma;
