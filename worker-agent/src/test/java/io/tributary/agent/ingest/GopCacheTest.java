package io.tributary.agent.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The GOP cache on synthetic MPEG-TS: what a new live client gets first, and what is kept. */
class GopCacheTest {
    static final int PMT_PID = 0x1000;
    static final int VIDEO = 0x100;
    static final int AUDIO = 0x101;

    static byte[] pat() {
        byte[] p = packet(0, true);
        int s = 5; // pointer field at 4 is 0
        byte[] sec = {0x00, (byte) 0xB0, 13, 0, 1, (byte) 0xC1, 0, 0, 0, 1, (byte) (0xE0 | (PMT_PID >> 8)),
                (byte) PMT_PID, 0, 0, 0, 0};
        System.arraycopy(sec, 0, p, s, sec.length);
        return p;
    }

    static byte[] pmt() {
        byte[] p = packet(PMT_PID, true);
        byte[] sec = {0x02, (byte) 0xB0, 23, 0, 1, (byte) 0xC1, 0, 0, (byte) 0xE1, 0, (byte) 0xF0, 0,
                0x1B, (byte) (0xE0 | (VIDEO >> 8)), (byte) VIDEO, (byte) 0xF0, 0,
                0x0F, (byte) (0xE0 | (AUDIO >> 8)), (byte) AUDIO, (byte) 0xF0, 0, 0, 0, 0, 0};
        System.arraycopy(sec, 0, p, 5, sec.length);
        return p;
    }

    /** A TS packet with payload only; PUSI as given; payload filled with 0xFF. */
    static byte[] packet(int pid, boolean pusi) {
        byte[] p = new byte[188];
        Arrays.fill(p, (byte) 0xFF);
        p[0] = 0x47;
        p[1] = (byte) ((pusi ? 0x40 : 0) | (pid >> 8));
        p[2] = (byte) pid;
        p[3] = 0x10;
        p[4] = 0;
        return p;
    }

    /** The first packet of a video PES; a keyframe carries the random_access_indicator. {@code tag} marks it. */
    static byte[] video(boolean key, int tag) {
        byte[] p = packet(VIDEO, true);
        p[3] = 0x30; // adaptation field + payload
        p[4] = 1;
        p[5] = (byte) (key ? 0x40 : 0);
        p[6] = 0;
        p[7] = 0;
        p[8] = 1;
        p[9] = (byte) 0xE0;
        p[180] = (byte) tag;
        return p;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] b : parts) {
            o.writeBytes(b);
        }
        return o.toByteArray();
    }

    static byte[] flat(List<byte[]> burst) {
        return concat(burst.toArray(new byte[0][]));
    }

    @Test
    void aNewClientStartsWithPatPmtAndTheKeyframeBeforeTheLast() {
        GopCache c = new GopCache();
        c.append(concat(pat(), pmt(), video(false, 1), packet(AUDIO, true)));
        assertThat(c.burst()).as("no keyframe yet: live bytes only").isEmpty();
        c.append(concat(video(true, 2), video(false, 3)));
        byte[] b = flat(c.burst());
        assertThat(b.length).isEqualTo(188 * 4);
        assertThat(b[1] & 0x1F).isZero();
        assertThat(Arrays.copyOfRange(b, 0, 188)).isEqualTo(pat());
        assertThat(Arrays.copyOfRange(b, 188, 376)).isEqualTo(pmt());
        assertThat(b[376 + 180]).isEqualTo((byte) 2);

        c.append(concat(video(true, 4), video(false, 5)));
        b = flat(c.burst());
        assertThat(b.length).as("PAT, PMT and two GOPs").isEqualTo(188 * 6);
        assertThat(b[376 + 180]).isEqualTo((byte) 2);
        c.append(concat(pat(), pmt(), video(true, 6)));
        b = flat(c.burst());
        assertThat(b[376 + 180]).as("starts at the keyframe before the last").isEqualTo((byte) 4);
        assertThat(b.length).isEqualTo(188 * (2 + 2 + 3));
        assertThat(c.bytes()).as("older chunks are dropped").isLessThanOrEqualTo(188 * 5);
    }

    @Test
    void packetsSplitAcrossChunksAreFollowed() {
        GopCache c = new GopCache();
        byte[] all = concat(pat(), pmt(), video(true, 7), video(false, 8), video(true, 9), video(false, 10));
        for (int off = 0; off < all.length; off += 100) {
            c.append(Arrays.copyOfRange(all, off, Math.min(all.length, off + 100)));
        }
        byte[] b = flat(c.burst());
        assertThat(Arrays.copyOfRange(b, 0, 188)).isEqualTo(pat());
        assertThat(b[376]).isEqualTo((byte) 0x47);
        assertThat(b[376 + 180]).isEqualTo((byte) 7);
        assertThat(b.length).isEqualTo(188 * 6);
    }

    @Test
    void aGopLongerThanTheLimitIsNotCached() {
        GopCache c = new GopCache();
        c.append(concat(pat(), pmt(), video(true, 1)));
        byte[] filler = new byte[188 * 5000];
        for (int i = 0; i < 5000; i++) {
            System.arraycopy(packet(VIDEO, false), 0, filler, i * 188, 188);
        }
        for (long n = 0; n <= GopCache.MAX_BYTES; n += filler.length) {
            c.append(filler);
        }
        assertThat(c.burst()).isEmpty();
        assertThat(c.bytes()).isLessThanOrEqualTo(GopCache.MAX_BYTES);
        c.append(video(true, 3));
        assertThat(flat(c.burst())[376 + 180]).as("caching again from the next keyframe").isEqualTo((byte) 3);
    }
}
