package io.tributary.api.stream;

import io.tributary.api.Violation;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a stream config against the contract (DESIGN.md §4). Pure logic shared by the
 * control plane (400 on PUT), the CLI and the agent (config_external validation_error).
 */
public final class StreamValidation {
    public static final int MAX_NAME_LENGTH = 128;
    public static final Set<String> INPUT_SCHEMES =
            Set.of("fake", "udp", "http", "https", "rtsp", "rtmp", "srt", "publish", "file");
    public static final Set<String> VIDEO_CODECS = Set.of("h264", "hevc");
    public static final Set<String> AUDIO_CODECS = Set.of("aac", "copy");
    public static final Set<String> PRESETS = Set.of("ultrafast", "superfast", "veryfast", "faster", "fast",
            "medium", "slow", "slower", "veryslow");
    private static final Pattern NAME_PART = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?");

    private StreamValidation() {
    }

    /** The reason a stream name is refused, or null when it is valid. */
    public static String checkName(String name) {
        if (name == null || name.isEmpty()) {
            return "name is required";
        }
        if (name.length() > MAX_NAME_LENGTH) {
            return "name is " + name.length() + " characters long, at most " + MAX_NAME_LENGTH + " are allowed";
        }
        for (String part : name.split("/", -1)) {
            if (part.isEmpty()) {
                return "name '" + name + "' has an empty part between slashes";
            }
            if (!NAME_PART.matcher(part).matches()) {
                return "name '" + name + "' may use only letters, digits, '.', '-', '_' and '/' between parts";
            }
            if (part.equals(".") || part.equals("..")) {
                return "name '" + name + "' may not have '.' or '..' as a part";
            }
        }
        return null;
    }

    public static boolean isValidHostname(String host) {
        return host != null && HOSTNAME.matcher(host).matches();
    }

    /** Every violation of the config; an empty list means valid. */
    public static List<Violation> validate(StreamConfig s) {
        List<Violation> v = new ArrayList<>();
        String nameError = checkName(s.name());
        if (nameError != null) {
            v.add(new Violation("name", nameError));
        }
        if (s.title() != null && s.title().length() > 256) {
            v.add(new Violation("title", "title is longer than 256 characters"));
        }
        validateInputs(s.inputs(), v);
        range(v, "clients_timeout", s.clientsTimeout(), 0, 86_400);
        range(v, "segment_duration", s.segmentDuration(), 500, 60_000);
        range(v, "segment_count", s.segmentCount(), 2, 100);
        if (s.clusterIngest() != null && s.clusterIngest().captureAt() != null
                && !isValidHostname(s.clusterIngest().captureAt())) {
            v.add(new Violation("cluster_ingest.capture_at",
                    "capture_at '" + s.clusterIngest().captureAt() + "' is not a valid hostname"));
        }
        if (s.transcoder() != null) {
            validateTranscoder(s.transcoder(), v);
        }
        if (s.dvr() != null) {
            range(v, "dvr.expiration", s.dvr().expiration(), 1, 10L * 366 * 86_400);
            range(v, "dvr.storage_limit", s.dvr().storageLimit(), 0, Long.MAX_VALUE);
            if (s.dvr().root() != null && (!s.dvr().root().startsWith("/") || s.dvr().root().contains(".."))) {
                v.add(new Violation("dvr.root", "root must be an absolute path without '..'"));
            }
        }
        if (s.labels() != null) {
            if (s.labels().size() > 32) {
                v.add(new Violation("labels", "at most 32 labels are allowed"));
            }
            for (Map.Entry<String, String> e : s.labels().entrySet()) {
                if (e.getKey() == null || e.getKey().isEmpty() || e.getKey().length() > 64) {
                    v.add(new Violation("labels", "label keys must be 1 to 64 characters"));
                } else if (e.getValue() != null && e.getValue().length() > 256) {
                    v.add(new Violation("labels." + e.getKey(), "label value is longer than 256 characters"));
                }
            }
        }
        return v;
    }

    private static void validateInputs(List<InputConfig> inputs, List<Violation> v) {
        if (inputs == null || inputs.isEmpty()) {
            v.add(new Violation("inputs", "a stream needs at least one input"));
            return;
        }
        if (inputs.size() > 16) {
            v.add(new Violation("inputs", "at most 16 inputs are allowed, got " + inputs.size()));
        }
        for (int i = 0; i < inputs.size(); i++) {
            InputConfig in = inputs.get(i);
            String f = "inputs[" + i + "]";
            if (in == null) {
                v.add(new Violation(f, "input is null"));
                continue;
            }
            String urlError = checkInputUrl(in.url());
            if (urlError != null) {
                v.add(new Violation(f + ".url", urlError));
            }
            range(v, f + ".priority", in.priority(), 0, 1000);
            range(v, f + ".source_timeout", in.sourceTimeout(), 1, 3600);
        }
    }

    /** The reason an input URL is refused, or null. */
    public static String checkInputUrl(String url) {
        if (url == null || url.isBlank()) {
            return "url is required";
        }
        if (url.length() > 2048) {
            return "url is longer than 2048 characters";
        }
        int colon = url.indexOf(':');
        if (colon <= 0) {
            return "url '" + url + "' has no scheme; allowed: " + String.join(", ", sorted(INPUT_SCHEMES));
        }
        String scheme = url.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!INPUT_SCHEMES.contains(scheme)) {
            return "url scheme '" + scheme + "' is not supported; allowed: " + String.join(", ", sorted(INPUT_SCHEMES));
        }
        if (scheme.equals("publish") || scheme.equals("fake")) {
            return null; // publish:// and fake://NAME need no host; the rest is free-form
        }
        try {
            URI uri = new URI(url);
            if (!scheme.equals("fake") && !scheme.equals("publish") && !scheme.equals("file")
                    && (uri.getHost() == null && uri.getAuthority() == null)) {
                return "url '" + url + "' has no host";
            }
            if (scheme.equals("file") && (uri.getPath() == null || uri.getPath().contains(".."))) {
                return "file url must have an absolute path without '..'";
            }
        } catch (Exception e) {
            return "url '" + url + "' is malformed: " + e.getMessage();
        }
        return null;
    }

    private static void validateTranscoder(Transcoder t, List<Violation> v) {
        if (t.video() != null) {
            if (t.video().isEmpty() || t.video().size() > 8) {
                v.add(new Violation("transcoder.video", "a ladder has 1 to 8 rungs"));
            }
            for (int i = 0; i < t.video().size(); i++) {
                VideoRung r = t.video().get(i);
                String f = "transcoder.video[" + i + "]";
                if (r == null) {
                    v.add(new Violation(f, "rung is null"));
                    continue;
                }
                if (r.bitrate() == null) {
                    v.add(new Violation(f + ".bitrate", "bitrate is required (bits per second)"));
                } else {
                    range(v, f + ".bitrate", r.bitrate(), 10_000, 100_000_000);
                }
                if (r.size() != null) {
                    Integer w = r.size().width();
                    Integer h = r.size().height();
                    dimension(v, f + ".size.width", w, 7680);
                    dimension(v, f + ".size.height", h, 4320);
                    if ((w == null || w == -1) && (h == null || h == -1)) {
                        v.add(new Violation(f + ".size", "width and height cannot both be -1 or missing"));
                    }
                }
                if (r.preset() != null && !PRESETS.contains(r.preset())) {
                    v.add(new Violation(f + ".preset", "preset '" + r.preset() + "' is unknown; allowed: "
                            + String.join(", ", sorted(PRESETS))));
                }
                range(v, f + ".gop", r.gop(), 1, 600);
                if (r.codec() != null && !VIDEO_CODECS.contains(r.codec())) {
                    v.add(new Violation(f + ".codec", "codec '" + r.codec() + "' is unknown; allowed: h264, hevc"));
                }
                if (r.fps() != null && (r.fps() < 1 || r.fps() > 240 || r.fps().isNaN())) {
                    v.add(new Violation(f + ".fps", "fps must be between 1 and 240"));
                }
            }
        }
        if (t.audio() != null) {
            if (t.audio().codec() != null && !AUDIO_CODECS.contains(t.audio().codec())) {
                v.add(new Violation("transcoder.audio.codec",
                        "codec '" + t.audio().codec() + "' is unknown; allowed: aac, copy"));
            }
            range(v, "transcoder.audio.bitrate", t.audio().bitrate(), 8_000, 1_000_000);
        }
        if (t.video() == null && t.audio() == null) {
            v.add(new Violation("transcoder", "a transcoder needs video rungs or audio settings"));
        }
    }

    private static void dimension(List<Violation> v, String field, Integer value, int max) {
        if (value != null && value != -1 && (value < 16 || value > max || value % 2 != 0)) {
            v.add(new Violation(field, field.substring(field.lastIndexOf('.') + 1)
                    + " must be -1 or an even number from 16 to " + max + ", got " + value));
        }
    }

    private static void range(List<Violation> v, String field, Number value, long min, long max) {
        if (value != null && (value.longValue() < min || value.longValue() > max)) {
            v.add(new Violation(field, field.substring(field.lastIndexOf('.') + 1) + " must be between " + min
                    + " and " + max + ", got " + value));
        }
    }

    private static List<String> sorted(Set<String> s) {
        return s.stream().sorted().toList();
    }
}
