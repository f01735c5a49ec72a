package io.tributary.agent.srt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StreamIdTest {
    @Test
    void everyFormOfAPublishStreamIdNamesTheStream() throws Exception {
        assertThat(StreamId.parse("cam1").name()).isEqualTo("cam1");
        assertThat(StreamId.parse("site/cam-1").name()).isEqualTo("site/cam-1");
        assertThat(StreamId.parse("publish:cam1").name()).isEqualTo("cam1");
        assertThat(StreamId.parse("publish/site/cam1").name()).isEqualTo("site/cam1");
        assertThat(StreamId.parse("#!::r=site/cam1,m=publish").name()).isEqualTo("site/cam1");
        assertThat(StreamId.parse("#!::m=publish,u=enc7,r=cam1").name()).isEqualTo("cam1");
        assertThat(StreamId.parse("/cam1").name()).isEqualTo("cam1");
    }

    @Test
    void aStreamIdThatCannotBeServedSaysWhyWithItsSrtCode() {
        assertCode("", LibSrt.REJX_BAD_REQUEST, "empty streamid");
        assertCode(null, LibSrt.REJX_BAD_REQUEST, "empty streamid");
        assertCode("#!::m=publish", LibSrt.REJX_BAD_REQUEST, "no r=NAME");
        assertCode("#!::r=cam1,m=request", LibSrt.REJX_BAD_MODE, "mode request");
        assertCode("#!::r=cam1", LibSrt.REJX_BAD_MODE, "mode request");
        assertCode("#!::r=cam1,junk", LibSrt.REJX_BAD_REQUEST, "'junk' is not key=value");
        assertCode("a/../b", LibSrt.REJX_BAD_REQUEST, "'..'");
        assertCode("cam 1", LibSrt.REJX_BAD_REQUEST, "only letters");
        assertCode("publish:", LibSrt.REJX_BAD_REQUEST, "name is required");
    }

    private static void assertCode(String raw, int code, String message) {
        assertThatThrownBy(() -> StreamId.parse(raw)).isInstanceOfSatisfying(StreamId.Invalid.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).contains(message);
        });
    }
}
