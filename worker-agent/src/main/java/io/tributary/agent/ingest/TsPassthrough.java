package io.tributary.agent.ingest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.tributary.agent.hls.HlsOutput;
import io.tributary.agent.hls.Segmenter;
import io.tributary.api.stream.Track;

/**
 * The copy path for MPEG-TS inputs without a demux/mux round trip: parses 188-byte packets (PAT,
 * PMT, PES headers of the reference track), cuts HLS segments on reference-track keyframes at
 * packet boundaries and writes the original packets. Each segment starts with the last PAT and
 * PMT seen; PAT/PMT continuity counters are renumbered so the repeated tables never break them.
 * Null packets and everything before the first keyframe are dropped. Keyframes: the adaptation
 * field's random_access_indicator, or an IDR/SPS (H.264) or IRAP/VPS/SPS (HEVC) NAL unit in the
 * first TS packet of the PES. Timestamps: the PES PTS (33-bit wrap unwrapped), in milliseconds.
 * Runs on the capture thread; not thread-safe.
 */
final class TsPassthrough {
    static final int PACKET = 188;
    /** About 170 ms at 3 Mbit/s: few writes per segment; the capture flushes sooner for live clients. */
    private static final int OUT_BUFFER = PACKET * 348;
    private static final long WRAP = 1L << 33;

    /** What the capture learns from the stream. */
    interface Events {
        /** The PMT (first or changed): the tracks it lists, codec only. */
        void tracks(List<Track> tracks);

        /** A segment was finished (the first one makes the session "running"). */
        void segmentFinished();
    }

    /** The input is MPEG-TS the pass-through cannot handle; the capture uses the libavformat path instead. */
    static final class Unsupported extends RuntimeException {
        Unsupported(String message) {
            super(message);
        }
    }

    private final Segmenter segmenter;
    private final HlsOutput hls;
    private final ByteSinkFn sink;
    private final Events events;

    /** Where the bytes go: the open segment and the live clients ({@link StreamOutput#onTsBytes}). */
    @FunctionalInterface
    interface ByteSinkFn {
        void accept(byte[] bytes);
    }

    private final byte[] work = new byte[OUT_BUFFER + PACKET];
    private int workLen;
    private final byte[] out = new byte[OUT_BUFFER];
    private int outLen;

    private int pmtPid = -1;
    private final byte[] pat = new byte[PACKET];
    private final byte[] pmt = new byte[PACKET];
    private boolean havePat;
    private boolean havePmt;
    private int pmtCrc;
    private int patCc;
    private int pmtCc;
    /** Elementary stream PIDs of the PMT (index = PID): 1 video, 2 audio, 3 other. */
    private final byte[] esKind = new byte[8192];
    private int refPid = -1;
    private boolean refIsVideo;
    private boolean refHevc;

    private long lastPts = Long.MIN_VALUE;
    private long ptsOffset;
    private long lastDtsMs = Long.MIN_VALUE;
    private long frameMs;
    private long mediaPackets;
    private long garbageBytes;
    private long lastRefMs = Long.MIN_VALUE;

    TsPassthrough(Segmenter segmenter, HlsOutput hls, ByteSinkFn sink, Events events) {
        this.segmenter = segmenter;
        this.hls = hls;
        this.sink = sink;
        this.events = events;
    }

    /** Media packets (on an elementary stream of the PMT) seen so far: progress for the no-data deadline. */
    long mediaPackets() {
        return mediaPackets;
    }

    /** CRC of the current PMT section (identifies the program layout), valid once {@link #hasPmt()}. */
    int pmtCrc() {
        return pmtCrc;
    }

    boolean hasPmt() {
        return havePmt;
    }

    long garbageBytes() {
        return garbageBytes;
    }

    /** Timestamp in ms of the latest reference-track PES start (for pacing a file), or Long.MIN_VALUE. */
    long lastRefMs() {
        return lastRefMs;
    }

    /** Takes input bytes (any alignment); whole packets are processed, a partial one waits for the rest. */
    void accept(byte[] buf, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, work.length - workLen);
            System.arraycopy(buf, off, work, workLen, n);
            workLen += n;
            off += n;
            len -= n;
            int p = 0;
            while (workLen - p >= PACKET) {
                if (work[p] != 0x47) {
                    int q = resync(p);
                    garbageBytes += q - p;
                    p = q;
                    continue;
                }
                packet(work, p);
                p += PACKET;
            }
            System.arraycopy(work, p, work, 0, workLen - p);
            workLen -= p;
        }
    }

    /** The next offset that starts a packet (sync byte, and the next one 188 bytes on when we have it). */
    private int resync(int from) {
        for (int q = from + 1; q < workLen; q++) {
            if (work[q] == 0x47 && (q + PACKET >= workLen || work[q + PACKET] == 0x47)) {
                return q;
            }
        }
        return workLen;
    }

    private void packet(byte[] b, int p) throws IOException {
        int pid = ((b[p + 1] & 0x1F) << 8) | (b[p + 2] & 0xFF);
        if (pid == 0x1FFF) {
            return;
        }
        boolean pusi = (b[p + 1] & 0x40) != 0;
        int afc = (b[p + 3] >> 4) & 3;
        int payload = p + 4;
        boolean rai = false;
        if ((afc & 2) != 0) {
            int alen = b[p + 4] & 0xFF;
            rai = alen > 0 && (b[p + 5] & 0x40) != 0;
            payload += 1 + alen;
        }
        boolean hasPayload = (afc & 1) != 0 && payload < p + PACKET;
        if (pid == 0) {
            if (pusi && hasPayload) {
                onPat(b, p, payload);
            }
            if (segmenter.isOpen()) {
                writePsi(b, p, true);
            }
            return;
        }
        if (pid == pmtPid) {
            if (pusi && hasPayload) {
                onPmt(b, p, payload);
            }
            if (segmenter.isOpen()) {
                writePsi(b, p, false);
            }
            return;
        }
        if (!havePmt) {
            return;
        }
        if (esKind[pid] != 0) {
            mediaPackets++;
        }
        if (pid == refPid && pusi && hasPayload) {
            long ptsMs = pesPtsMs(b, payload, p + PACKET);
            if (ptsMs == Long.MIN_VALUE && !segmenter.isOpen()) {
                return;
            }
            if (ptsMs != Long.MIN_VALUE) {
                lastRefMs = ptsMs;
                boolean canStart = !refIsVideo || rai || keyNal(b, payload, p + PACKET);
                switch (segmenter.onPacket(ptsMs, frameMs, canStart)) {
                    case SKIP -> {
                        return;
                    }
                    case START -> {
                        flush();
                        hls.startSegment();
                        writeTables();
                    }
                    case CUT -> {
                        flush();
                        long d = segmenter.cut(ptsMs, frameMs);
                        hls.finishSegment(d / 1000.0);
                        hls.startSegment();
                        writeTables();
                        events.segmentFinished();
                    }
                    default -> {
                    }
                }
            }
        } else if (!segmenter.isOpen()) {
            return;
        }
        write(b, p);
    }

    private void onPat(byte[] b, int p, int payload) {
        int s = payload + 1 + (b[payload] & 0xFF);
        if (s + 8 > p + PACKET || b[s] != 0x00) {
            return;
        }
        int len = ((b[s + 1] & 0x0F) << 8) | (b[s + 2] & 0xFF);
        if (s + 3 + len > p + PACKET) {
            throw new Unsupported("PAT spans more than one TS packet");
        }
        int pmt = -1;
        for (int e = s + 8; e + 4 <= s + 3 + len - 4; e += 4) {
            int program = ((b[e] & 0xFF) << 8) | (b[e + 1] & 0xFF);
            if (program != 0) {
                pmt = ((b[e + 2] & 0x1F) << 8) | (b[e + 3] & 0xFF);
                break;
            }
        }
        if (pmt < 0) {
            return;
        }
        System.arraycopy(b, p, pat, 0, PACKET);
        havePat = true;
        if (pmt != pmtPid) {
            pmtPid = pmt;
            havePmt = false;
        }
    }

    private void onPmt(byte[] b, int p, int payload) {
        int s = payload + 1 + (b[payload] & 0xFF);
        if (s + 12 > p + PACKET || b[s] != 0x02) {
            return;
        }
        int len = ((b[s + 1] & 0x0F) << 8) | (b[s + 2] & 0xFF);
        if (s + 3 + len > p + PACKET) {
            throw new Unsupported("PMT spans more than one TS packet");
        }
        int crc = ((b[s + 3 + len - 4] & 0xFF) << 24) | ((b[s + 3 + len - 3] & 0xFF) << 16)
                | ((b[s + 3 + len - 2] & 0xFF) << 8) | (b[s + 3 + len - 1] & 0xFF);
        System.arraycopy(b, p, pmt, 0, PACKET);
        if (havePmt && crc == pmtCrc) {
            return;
        }
        havePmt = true;
        pmtCrc = crc;
        Arrays.fill(esKind, (byte) 0);
        int infoLen = ((b[s + 10] & 0x0F) << 8) | (b[s + 11] & 0xFF);
        int end = s + 3 + len - 4;
        List<Track> tracks = new ArrayList<>();
        int firstVideo = -1;
        int firstAudio = -1;
        boolean hevc = false;
        int video = 0;
        int audio = 0;
        for (int e = s + 12 + infoLen; e + 5 <= end; ) {
            int type = b[e] & 0xFF;
            int pid = ((b[e + 1] & 0x1F) << 8) | (b[e + 2] & 0xFF);
            int esInfo = ((b[e + 3] & 0x0F) << 8) | (b[e + 4] & 0xFF);
            String codec = codec(type, b, e + 5, Math.min(end, e + 5 + esInfo));
            boolean isVideo = codec != null && VIDEO.contains(codec);
            if (codec == null) {
                esKind[pid] = 3;
            } else if (isVideo) {
                esKind[pid] = 1;
                tracks.add(new Track("v" + (++video), "video", codec, null, null, null, null, null, null));
                if (firstVideo < 0) {
                    firstVideo = pid;
                    hevc = codec.equals("hevc");
                }
            } else {
                esKind[pid] = 2;
                tracks.add(new Track("a" + (++audio), "audio", codec, null, null, null, null, null, null));
                if (firstAudio < 0) {
                    firstAudio = pid;
                }
            }
            e += 5 + esInfo;
        }
        if (firstVideo < 0 && firstAudio < 0) {
            havePmt = false;
            throw new Unsupported("the PMT lists no audio or video stream this agent passes through");
        }
        int newRef = firstVideo >= 0 ? firstVideo : firstAudio;
        if (newRef != refPid) {
            lastPts = Long.MIN_VALUE;
            lastDtsMs = Long.MIN_VALUE;
        }
        refPid = newRef;
        refIsVideo = firstVideo >= 0;
        refHevc = hevc;
        events.tracks(List.copyOf(tracks));
    }

    private static final List<String> VIDEO = List.of("h264", "hevc", "mpeg2video", "mpeg1video", "mpeg4");

    /** The codec of a PMT stream_type (and its registration/descriptor tags for private data), or null. */
    private static String codec(int type, byte[] b, int from, int to) {
        switch (type) {
            case 0x1B:
                return "h264";
            case 0x24:
                return "hevc";
            case 0x01:
                return "mpeg1video";
            case 0x02:
                return "mpeg2video";
            case 0x10:
                return "mpeg4";
            case 0x0F:
            case 0x11:
                return "aac";
            case 0x03:
            case 0x04:
                return "mp2";
            case 0x81:
                return "ac3";
            case 0x87:
                return "eac3";
            case 0x06:
                for (int d = from; d + 2 <= to; d += 2 + (b[d + 1] & 0xFF)) {
                    int tag = b[d] & 0xFF;
                    if (tag == 0x6A) {
                        return "ac3";
                    }
                    if (tag == 0x7A) {
                        return "eac3";
                    }
                    if (tag == 0x05 && d + 6 <= to && b[d + 2] == 'O' && b[d + 3] == 'p' && b[d + 4] == 'u'
                            && b[d + 5] == 's') {
                        return "opus";
                    }
                }
                return null;
            default:
                return null;
        }
    }

    /** The PTS (or DTS) in ms of a PES starting at {@code s}, unwrapped; also updates the frame duration. */
    private long pesPtsMs(byte[] b, int s, int end) {
        if (s + 9 > end || b[s] != 0 || b[s + 1] != 0 || b[s + 2] != 1) {
            return Long.MIN_VALUE;
        }
        int flags = (b[s + 7] >> 6) & 3;
        if ((flags & 2) == 0 || s + 14 > end) {
            return Long.MIN_VALUE;
        }
        long pts = timestamp(b, s + 9);
        long dts = flags == 3 && s + 19 <= end ? timestamp(b, s + 14) : pts;
        if (lastPts != Long.MIN_VALUE) {
            long unwrapped = pts + ptsOffset;
            if (unwrapped < lastPts - WRAP / 2) {
                ptsOffset += WRAP;
            } else if (unwrapped > lastPts + WRAP / 2) {
                ptsOffset -= WRAP;
            }
        }
        lastPts = pts + ptsOffset;
        long dtsMs = (dts + ptsOffset) / 90;
        if (lastDtsMs != Long.MIN_VALUE) {
            long delta = dtsMs - lastDtsMs;
            if (delta > 0 && delta <= 1000) {
                frameMs = delta;
            }
        }
        lastDtsMs = dtsMs;
        return lastPts / 90;
    }

    private static long timestamp(byte[] b, int i) {
        return ((long) (b[i] & 0x0E) << 29) | ((b[i + 1] & 0xFF) << 22) | ((b[i + 2] & 0xFE) << 14)
                | ((b[i + 3] & 0xFF) << 7) | ((b[i + 4] & 0xFE) >> 1);
    }

    /** Whether the PES payload in this packet carries an IDR/SPS (H.264) or IRAP/VPS/SPS (HEVC) NAL unit. */
    private boolean keyNal(byte[] b, int s, int end) {
        return s + 9 <= end && keyNalAt(b, s + 9 + (b[s + 8] & 0xFF), end, refHevc);
    }

    /**
     * Whether the bytes from {@code from} (the PES payload) hold, before the first picture slice,
     * an IDR or SPS NAL unit (H.264) or an IRAP, VPS or SPS one (HEVC). Shared with the GOP cache.
     */
    static boolean keyNalAt(byte[] b, int from, int end, boolean hevc) {
        for (int i = from; i + 3 < end; i++) {
            if (b[i] != 0 || b[i + 1] != 0 || b[i + 2] != 1) {
                continue;
            }
            int h = b[i + 3] & 0xFF;
            if (hevc) {
                int t = (h >> 1) & 0x3F;
                if ((t >= 16 && t <= 21) || t == 32 || t == 33) {
                    return true;
                }
                if (t <= 9) {
                    return false;
                }
            } else {
                int t = h & 0x1F;
                if (t == 5 || t == 7) {
                    return true;
                }
                if (t >= 1 && t <= 4) {
                    return false;
                }
            }
            i += 3;
        }
        return false;
    }

    /** Writes the cached PAT and PMT at the start of a segment. */
    private void writeTables() throws IOException {
        if (havePat) {
            writePsi(pat, 0, true);
        }
        writePsi(pmt, 0, false);
    }

    /** Writes a PAT or PMT packet with our own continuity counter (the cached copies are repeated). */
    private void writePsi(byte[] b, int p, boolean isPat) throws IOException {
        int cc = isPat ? patCc++ : pmtCc++;
        if (outLen + PACKET > out.length) {
            flush();
        }
        System.arraycopy(b, p, out, outLen, PACKET);
        out[outLen + 3] = (byte) ((out[outLen + 3] & 0xF0) | (cc & 0x0F));
        outLen += PACKET;
    }

    private void write(byte[] b, int p) throws IOException {
        if (outLen + PACKET > out.length) {
            flush();
        }
        System.arraycopy(b, p, out, outLen, PACKET);
        outLen += PACKET;
    }

    /** Hands the packets gathered so far to the sink (also called by the capture when live clients wait). */
    void flush() throws IOException {
        if (outLen > 0) {
            byte[] chunk = Arrays.copyOf(out, outLen);
            outLen = 0;
            sink.accept(chunk);
        }
    }

    /** Ends the session: flushes and closes (or drops) the open segment. */
    void finish() throws IOException {
        flush();
        if (segmenter.isOpen()) {
            long d = segmenter.openDurationMs();
            if (d > 0) {
                hls.finishSegment(d / 1000.0);
            } else {
                hls.abortSegment();
            }
            segmenter.reset();
        }
    }
}
