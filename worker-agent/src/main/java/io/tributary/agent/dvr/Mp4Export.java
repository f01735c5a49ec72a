package io.tributary.agent.dvr;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_copy;
import static org.bytedeco.ffmpeg.global.avformat.AVIO_FLAG_WRITE;
import static org.bytedeco.ffmpeg.global.avformat.av_interleaved_write_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_write_trailer;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_output_context2;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_free_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_new_stream;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_write_header;
import static org.bytedeco.ffmpeg.global.avformat.avio_closep;
import static org.bytedeco.ffmpeg.global.avformat.avio_open;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_rescale_q;

import java.nio.file.Path;
import java.util.List;

import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVInputFormat;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVRational;

import io.tributary.agent.ffmpeg.FfmpegException;

/**
 * Remuxes archive segments (MPEG-TS) into one seekable MP4 file, copying packets (no re-encode):
 * the first video and the first audio track, timestamps shifted to start at 0 and closed over
 * gaps between segments, {@code movflags=+faststart} so the index is at the front. AAC from
 * MPEG-TS gets {@code aac_adtstoasc} from the muxer's automatic bitstream filters.
 */
public final class Mp4Export {
    private static final AVRational MICROS = new AVRational().num(1).den(1_000_000);
    /** A jump larger than this between segments is a gap: the next segment is laid right after the previous. */
    private static final long JUMP_US = 1_000_000;

    private Mp4Export() {
    }

    /** Writes {@code segments} (oldest first) to {@code out}. Returns the media duration written, in ms. */
    public static long export(List<Path> segments, Path out) {
        AVFormatContext oc = new AVFormatContext(null);
        FfmpegException.check("avformat_alloc_output_context2",
                avformat_alloc_output_context2(oc, null, "mp4", out.toString()));
        AVPacket pkt = av_packet_alloc();
        int videoOut = -1;
        int audioOut = -1;
        long offsetUs = 0;
        long endUs = 0;
        long[] lastDts = new long[2];
        boolean headerWritten = false;
        boolean opened = false;
        try {
            for (Path file : segments) {
                AVFormatContext ic = new AVFormatContext(null);
                FfmpegException.check("avformat_open_input " + file.getFileName(),
                        avformat_open_input(ic, file.toString(), (AVInputFormat) null, (AVDictionary) null));
                try {
                    FfmpegException.check("avformat_find_stream_info",
                            avformat_find_stream_info(ic, (org.bytedeco.javacpp.PointerPointer<?>) null));
                    int vIn = -1;
                    int aIn = -1;
                    for (int i = 0; i < ic.nb_streams(); i++) {
                        int type = ic.streams(i).codecpar().codec_type();
                        if (type == AVMEDIA_TYPE_VIDEO && vIn < 0) {
                            vIn = i;
                        } else if (type == AVMEDIA_TYPE_AUDIO && aIn < 0) {
                            aIn = i;
                        }
                    }
                    if (!headerWritten) {
                        int n = 0;
                        if (vIn >= 0) {
                            addStream(oc, ic.streams(vIn));
                            videoOut = n++;
                        }
                        if (aIn >= 0) {
                            addStream(oc, ic.streams(aIn));
                            audioOut = n;
                        }
                        if (n == 0 && videoOut < 0) {
                            throw new FfmpegException("mp4 export", "no audio or video in " + file.getFileName());
                        }
                        AVIOContext pb = new AVIOContext(null);
                        FfmpegException.check("avio_open", avio_open(pb, out.toString(), AVIO_FLAG_WRITE));
                        oc.pb(pb);
                        opened = true;
                        AVDictionary opts = new AVDictionary(null);
                        av_dict_set(opts, "movflags", "+faststart", 0);
                        int ret = avformat_write_header(oc, opts);
                        av_dict_free(opts);
                        FfmpegException.check("avformat_write_header", ret);
                        headerWritten = true;
                        lastDts[0] = Long.MIN_VALUE;
                        lastDts[1] = Long.MIN_VALUE;
                    }
                    boolean first = true;
                    while (av_read_frame(ic, pkt) >= 0) {
                        int si = pkt.stream_index();
                        int target = si == vIn ? videoOut : si == aIn ? audioOut : -1;
                        long dts = pkt.dts() != AV_NOPTS_VALUE ? pkt.dts() : pkt.pts();
                        if (target < 0 || dts == AV_NOPTS_VALUE) {
                            av_packet_unref(pkt);
                            continue;
                        }
                        AVRational inTb = ic.streams(si).time_base();
                        long dtsUs = av_rescale_q(dts, inTb, MICROS);
                        if (first) {
                            first = false;
                            // Segments of one capture continue each other's clock; a gap, a restart or
                            // another server starts a new clock: lay it right after what came before.
                            if (endUs == 0 && offsetUs == 0 || Math.abs(dtsUs + offsetUs - endUs) > JUMP_US) {
                                offsetUs = endUs - dtsUs;
                            }
                        }
                        AVStream os = oc.streams(target);
                        long shift = av_rescale_q(offsetUs, MICROS, inTb);
                        pkt.dts(dts + shift);
                        if (pkt.pts() != AV_NOPTS_VALUE) {
                            pkt.pts(pkt.pts() + shift);
                        } else {
                            pkt.pts(pkt.dts());
                        }
                        org.bytedeco.ffmpeg.global.avcodec.av_packet_rescale_ts(pkt, inTb, os.time_base());
                        if (pkt.dts() <= lastDts[target] || pkt.pts() < pkt.dts()) {
                            av_packet_unref(pkt);
                            continue;
                        }
                        lastDts[target] = pkt.dts();
                        long pktEndUs = av_rescale_q(pkt.dts() + Math.max(0, pkt.duration()), os.time_base(), MICROS);
                        endUs = Math.max(endUs, pktEndUs);
                        pkt.stream_index(target);
                        pkt.pos(-1);
                        FfmpegException.check("av_interleaved_write_frame", av_interleaved_write_frame(oc, pkt));
                    }
                } finally {
                    avformat_close_input(ic);
                }
            }
            if (!headerWritten) {
                throw new FfmpegException("mp4 export", "no segments");
            }
            FfmpegException.check("av_write_trailer", av_write_trailer(oc));
            return endUs / 1000;
        } finally {
            av_packet_free(pkt);
            if (opened) {
                avio_closep(oc.pb());
            }
            avformat_free_context(oc);
        }
    }

    private static void addStream(AVFormatContext oc, AVStream in) {
        AVStream os = avformat_new_stream(oc, null);
        FfmpegException.check("avcodec_parameters_copy", avcodec_parameters_copy(os.codecpar(), in.codecpar()));
        os.codecpar().codec_tag(0);
        os.time_base(in.time_base());
    }

}
