package io.tributary.agent.srt;

import java.util.List;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;

/**
 * The part of libsrt's C API (srt.h, 1.5) that the shared SRT listener uses, through JNA. The
 * bundled FFmpeg links its libsrt statically and exports none of it, so this is the system
 * library: Debian's {@code libsrt1.5-openssl} (or {@code -gnutls}).
 */
public interface LibSrt extends Library {
    int SRTO_RCVSYN = 2;
    int SRTO_RCVTIMEO = 14;
    int SRTO_REUSEADDR = 15;
    int SRTO_LATENCY = 23;
    int SRTO_STREAMID = 46;

    /** SRT_ETIMEOUT: a blocking call's timeout passed. */
    int ETIMEOUT = 6003;

    int REJX_BAD_REQUEST = 1400;
    int REJX_FORBIDDEN = 1403;
    int REJX_NOTFOUND = 1404;
    int REJX_BAD_MODE = 1405;
    int REJX_CONFLICT = 1409;

    /** srt_listen_callback_fn: 0 accepts the caller, -1 rejects it (with srt_setrejectreason). */
    interface ListenCallback extends Callback {
        int invoke(Pointer opaque, int socket, int hsVersion, Pointer peerAddress, String streamId);
    }

    int srt_startup();

    /** Ends one srt_startup (libsrt counts them and cleans up after the last). */
    int srt_cleanup();

    /** syslog levels: 2 critical, 3 error, 4 warning. */
    void srt_setloglevel(int level);

    int srt_create_socket();

    int srt_bind(int socket, byte[] sockaddr, int length);

    int srt_getsockname(int socket, byte[] sockaddr, IntByReference length);

    int srt_listen(int socket, int backlog);

    int srt_listen_callback(int socket, ListenCallback callback, Pointer opaque);

    int srt_accept(int socket, byte[] sockaddr, IntByReference length);

    int srt_setsockflag(int socket, int option, IntByReference value, int length);

    int srt_getsockflag(int socket, int option, byte[] value, IntByReference length);

    int srt_recvmsg(int socket, byte[] buffer, int length);

    /** A caller's side (tests, tools). */
    int srt_connect(int socket, byte[] sockaddr, int length);

    int srt_setsockflag(int socket, int option, byte[] value, int length);

    int srt_sendmsg2(int socket, byte[] buffer, int length, Pointer msgctrl);

    int srt_getrejectreason(int socket);

    int srt_close(int socket);

    int srt_setrejectreason(int socket, int reason);

    int srt_getlasterror(IntByReference errno);

    String srt_getlasterror_str();

    /** The system libsrt, or an exception naming the package to install. */
    static LibSrt load() {
        UnsatisfiedLinkError last = null;
        for (String name : List.of("srt", "libsrt.so.1.5", "libsrt-gnutls.so.1.5")) {
            try {
                LibSrt lib = Native.load(name, LibSrt.class);
                // Errors come back through the API and are logged by the agent; libsrt's own
                // warnings (one per receive timeout in 1.5.1) would flood the log.
                lib.srt_setloglevel(2);
                lib.srt_startup();
                return lib;
            } catch (UnsatisfiedLinkError e) {
                last = e;
            }
        }
        throw new IllegalStateException("SRT publish needs libsrt 1.5 (apt-get install libsrt1.5-openssl): " + last.getMessage(), last);
    }
}
