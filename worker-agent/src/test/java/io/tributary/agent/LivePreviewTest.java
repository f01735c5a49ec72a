package io.tributary.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.tributary.api.stream.InputConfig;

/** {@code /{name}/preview.jpg} on a real agent capturing a fake:// stream: a JPEG of the live picture. */
class LivePreviewTest {
    @TempDir
    Path dir;

    @Test
    void previewIsAJpegOfTheNewestSegmentAndFollowsTheStream() throws Exception {
        try (AgentHarness h = new AgentHarness(dir.resolve("data"), Map.of())) {
            h.run(AgentHarness.stream("live/cam", 1000, new InputConfig("fake://p?size=320x180&rate=25")));
            await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200))
                    .until(() -> h.getBytes("/live/cam/preview.jpg").statusCode() == 200);
            HttpResponse<byte[]> first = h.getBytes("/live/cam/preview.jpg");
            assertThat(first.headers().firstValue("Content-Type")).hasValue("image/jpeg");
            assertThat(first.body()[0]).isEqualTo((byte) 0xFF);
            assertThat(first.body()[1]).isEqualTo((byte) 0xD8);
            Path jf = dir.resolve("p.jpg");
            Files.write(jf, first.body());
            assertThat(FfmpegTools.ffprobe("-show_entries", "stream=codec_name,width,height", "-of", "default=nw=1",
                    jf.toString())).contains("codec_name=mjpeg").contains("width=320").contains("height=180");

            // HEAD: the length of the picture, no body
            HttpResponse<byte[]> head = h.http.send(HttpRequest.newBuilder(URI.create(h.base() + "/live/cam/preview.jpg"))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.body()).isEmpty();
            assertThat(head.headers().firstValueAsLong("Content-Length").orElse(-1)).isPositive();

            // The fake source draws a running clock: a later segment gives another picture.
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).until(() -> {
                HttpResponse<byte[]> later = h.getBytes("/live/cam/preview.jpg");
                return later.statusCode() == 200 && !java.util.Arrays.equals(later.body(), first.body());
            });

            // a stream this agent does not have: 404, never a picture
            assertThat(h.getBytes("/nothing/here/preview.jpg").statusCode()).isEqualTo(404);
        }
    }
}
