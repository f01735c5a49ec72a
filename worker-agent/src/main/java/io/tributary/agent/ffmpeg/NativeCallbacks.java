package io.tributary.agent.ffmpeg;

import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.bytedeco.ffmpeg.avformat.AVIOInterruptCB;
import org.bytedeco.ffmpeg.avformat.Read_packet_Pointer_BytePointer_int;
import org.bytedeco.ffmpeg.avformat.Write_packet_Pointer_BytePointer_int;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * The native callbacks FFmpeg calls back into Java (interrupt, custom AVIO read and write).
 * JavaCPP gives each callback class only a few native thunks, so there is one instance of each,
 * shared by every capture, and FFmpeg's {@code opaque} pointer selects the Java target: this is
 * the one piece of static mutable state in the agent, and it only maps keys to live targets.
 */
final class NativeCallbacks {
    /** Takes {@code size} bytes from {@code buf}; returns size or an AVERROR. */
    interface Writer {
        int write(BytePointer buf, int size);
    }

    private static final Map<Long, Object> TARGETS = new ConcurrentHashMap<>();

    static final AVIOInterruptCB.Callback_Pointer INTERRUPT = new AVIOInterruptCB.Callback_Pointer() {
        @Override
        public int call(Pointer opaque) {
            try {
                Object t = opaque == null ? null : TARGETS.get(opaque.address());
                return t instanceof Interrupt i && i.interrupted() ? 1 : 0;
            } catch (RuntimeException e) {
                return 1;
            }
        }
    };

    static final Read_packet_Pointer_BytePointer_int READ = new Read_packet_Pointer_BytePointer_int() {
        @Override
        public int call(Pointer opaque, BytePointer buf, int size) {
            try {
                Object t = TARGETS.get(opaque.address());
                return t instanceof ByteReader r ? r.read(buf, size) : AVERROR_EOF;
            } catch (RuntimeException e) {
                return AVERROR_EOF;
            }
        }
    };

    static final Write_packet_Pointer_BytePointer_int WRITE = new Write_packet_Pointer_BytePointer_int() {
        @Override
        public int call(Pointer opaque, BytePointer buf, int size) {
            try {
                Object t = TARGETS.get(opaque.address());
                return t instanceof Writer w ? w.write(buf, size) : size;
            } catch (RuntimeException e) {
                return AVERROR_EOF;
            }
        }
    };

    private NativeCallbacks() {
    }

    /** A registered target; its pointer is the opaque value to hand to FFmpeg. */
    static final class Handle implements AutoCloseable {
        private final LongPointer key = new LongPointer(1);

        Handle(Object target) {
            TARGETS.put(key.address(), target);
        }

        Pointer opaque() {
            return key;
        }

        @Override
        public void close() {
            TARGETS.remove(key.address());
            key.close();
        }
    }
}
