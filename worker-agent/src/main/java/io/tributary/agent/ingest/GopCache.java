package io.tributary.agent.ingest;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The last two GOPs of a live MPEG-TS output, so a new {@code /mpegts} client (a viewer, or an
 * edge's pull) starts at once: it first gets the last PAT and PMT, then every byte since the
 * video keyframe before the latest one, in one burst, then the live bytes. Two GOPs, not one, so
 * the burst holds a whole GOP: an edge's segmenter cuts its first segment at the second keyframe
 * without waiting for the next one live. Audio-only streams start at an audio packet at least 1 s
 * of bytes apart. Keyframes: the adaptation field's random_access_indicator, or an IDR/SPS (H.264)
 * or IRAP/VPS/SPS (HEVC) NAL unit in the first TS packet of the video PES. Keeps the chunks it is
 * given (never changed by their producer); at most {@link #MAX_BYTES} (beyond that a new client
 * gets the live bytes only, as before). Not thread-safe: {@link TsFanout} holds its lock.
 */
final class GopCache {
    static final int PACKET = 188;
    /** About 21 s at 3 Mbit/s: a GOP longer than that is not cached. */
    static final long MAX_BYTES = 8L * 1024 * 1024;
    private static final long AUDIO_START_EVERY_NANOS = 1_000_000_000L;

    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    /** Absolute byte position of the first byte of {@code chunks.peekFirst()}. */
    private long firstPos;
    /** Absolute number of bytes appended. */
    private long pos;
    /** Absolute positions of the latest keyframe packet and of the one before it (-1: none). */
    private long keyLast = -1;
    private long keyPrev = -1;
    private long lastAudioStartNanos;

    private final byte[] carry = new byte[PACKET];
    private int carryLen;
    private final byte[] pat = new byte[PACKET];
    private final byte[] pmt = new byte[PACKET];
    private boolean havePat;
    private boolean havePmt;
    private int pmtPid = -1;
    private int videoPid = -1;
    private boolean hevc;
    private int audioPid = -1;

    /** Takes the next chunk of the output (any alignment). */
    void append(byte[] bytes) {
        if (bytes.length == 0) {
            return;
        }
        long chunkPos = pos;
        chunks.addLast(bytes);
        pos += bytes.length;
        int off = 0;
        if (carryLen > 0) {
            int n = Math.min(PACKET - carryLen, bytes.length);
            System.arraycopy(bytes, 0, carry, carryLen, n);
            carryLen += n;
            off = n;
            if (carryLen == PACKET) {
                packet(carry, 0, chunkPos - (PACKET - n));
                carryLen = 0;
            }
        }
        while (off < bytes.length) {
            if (bytes[off] != 0x47) {
                off++; // not aligned (garbage from a publisher): look for the next sync byte
                continue;
            }
            if (bytes.length - off < PACKET) {
                carryLen = bytes.length - off;
                System.arraycopy(bytes, off, carry, 0, carryLen);
                break;
            }
            packet(bytes, off, chunkPos + off);
            off += PACKET;
        }
        trim();
    }

    /** What a new client gets before the live bytes: PAT, PMT and the bytes since the keyframe before the last (or none). */
    List<byte[]> burst() {
        long from = keyPrev >= 0 ? keyPrev : keyLast;
        if (from < firstPos || !havePat || !havePmt) {
            return List.of();
        }
        List<byte[]> out = new ArrayList<>();
        out.add(pat.clone());
        out.add(pmt.clone());
        long p = firstPos;
        for (byte[] c : chunks) {
            long end = p + c.length;
            if (end > from) {
                out.add(p >= from ? c : Arrays.copyOfRange(c, (int) (from - p), c.length));
            }
            p = end;
        }
        return out;
    }

    /** Bytes held now (for tests and metrics). */
    long bytes() {
        return pos - firstPos;
    }

    private void packet(byte[] b, int p, long at) {
        int pid = ((b[p + 1] & 0x1F) << 8) | (b[p + 2] & 0xFF);
        boolean pusi = (b[p + 1] & 0x40) != 0;
        int afc = (b[p + 3] >> 4) & 3;
        int payload = p + 4;
        boolean rai = false;
        if ((afc & 2) != 0) {
            int alen = b[p + 4] & 0xFF;
            rai = alen > 0 && (b[p + 5] & 0x40) != 0;
            payload += 1 + alen;
        }
        if ((afc & 1) == 0 || payload >= p + PACKET || !pusi) {
            return;
        }
        if (pid == 0) {
            onPat(b, p, payload);
        } else if (pid == pmtPid) {
            onPmt(b, p, payload);
        } else if (pid == videoPid) {
            if (rai || keyNal(b, payload, p + PACKET)) {
                keyframe(at);
            }
        } else if (videoPid < 0 && pid == audioPid) {
            long now = System.nanoTime();
            if (keyLast < 0 || now - lastAudioStartNanos >= AUDIO_START_EVERY_NANOS) {
                lastAudioStartNanos = now;
                keyframe(at);
            }
        }
    }

    private void keyframe(long at) {
        keyPrev = keyLast;
        keyLast = at;
    }

    /** Drops the chunks before the keyframe before the last; forgets everything when that is over the limit. */
    private void trim() {
        // A packet still split across chunks may turn out to be a keyframe: its first bytes stay.
        long partial = pos - carryLen;
        long keep = keyPrev >= 0 ? keyPrev : keyLast >= 0 ? keyLast : partial;
        if (pos - keep > MAX_BYTES && keyLast >= 0 && keep != keyLast) {
            keyPrev = -1;
            keep = keyLast;
        }
        if (pos - keep > MAX_BYTES) {
            keyPrev = -1;
            keyLast = -1;
            keep = partial;
        }
        while (!chunks.isEmpty() && firstPos + chunks.peekFirst().length <= keep) {
            firstPos += chunks.removeFirst().length;
        }
    }

    private void onPat(byte[] b, int p, int payload) {
        int s = payload + 1 + (b[payload] & 0xFF);
        if (s + 12 > p + PACKET || b[s] != 0x00) {
            return;
        }
        int len = ((b[s + 1] & 0x0F) << 8) | (b[s + 2] & 0xFF);
        for (int e = s + 8; e + 4 <= Math.min(s + 3 + len - 4, p + PACKET); e += 4) {
            int program = ((b[e] & 0xFF) << 8) | (b[e + 1] & 0xFF);
            if (program != 0) {
                int pid = ((b[e + 2] & 0x1F) << 8) | (b[e + 3] & 0xFF);
                if (pid != pmtPid) {
                    pmtPid = pid;
                    havePmt = false;
                }
                System.arraycopy(b, p, pat, 0, PACKET);
                havePat = true;
                return;
            }
        }
    }

    private void onPmt(byte[] b, int p, int payload) {
        int s = payload + 1 + (b[payload] & 0xFF);
        if (s + 12 > p + PACKET || b[s] != 0x02) {
            return;
        }
        int len = ((b[s + 1] & 0x0F) << 8) | (b[s + 2] & 0xFF);
        int end = Math.min(s + 3 + len - 4, p + PACKET);
        int infoLen = ((b[s + 10] & 0x0F) << 8) | (b[s + 11] & 0xFF);
        int video = -1;
        int audio = -1;
        boolean h265 = false;
        for (int e = s + 12 + infoLen; e + 5 <= end; ) {
            int type = b[e] & 0xFF;
            int pid = ((b[e + 1] & 0x1F) << 8) | (b[e + 2] & 0xFF);
            int esInfo = ((b[e + 3] & 0x0F) << 8) | (b[e + 4] & 0xFF);
            if (video < 0 && (type == 0x1B || type == 0x24 || type == 0x01 || type == 0x02 || type == 0x10)) {
                video = pid;
                h265 = type == 0x24;
            } else if (audio < 0 && (type == 0x0F || type == 0x11 || type == 0x03 || type == 0x04 || type == 0x81
                    || type == 0x87 || type == 0x06)) {
                audio = pid;
            }
            e += 5 + esInfo;
        }
        System.arraycopy(b, p, pmt, 0, PACKET);
        havePmt = true;
        if (video != videoPid || audio != audioPid) {
            videoPid = video;
            audioPid = audio;
            hevc = h265;
            keyPrev = -1;
            keyLast = -1;
        }
    }

    /** Whether the PES payload in this packet carries an IDR/SPS (H.264) or IRAP/VPS/SPS (HEVC) NAL unit. */
    private boolean keyNal(byte[] b, int s, int end) {
        if (s + 9 > end || b[s] != 0 || b[s + 1] != 0 || b[s + 2] != 1) {
            return false;
        }
        return TsPassthrough.keyNalAt(b, s + 9 + (b[s + 8] & 0xFF), end, hevc);
    }
}
