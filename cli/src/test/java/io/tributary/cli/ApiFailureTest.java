package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.api.ApiError;
import org.junit.jupiter.api.Test;

class ApiFailureTest {
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void severalViolationsArePrintedOnePerLine() throws Exception {
        ApiError e = json.readValue("""
                {"error":"invalid","message":"url scheme 'gopher' is not supported","field":"inputs[0].url",
                 "errors":[{"field":"inputs[0].url","message":"url scheme 'gopher' is not supported"},
                           {"field":"segment_count","message":"segment_count must be between 2 and 100"}]}
                """, ApiError.class);
        assertThat(ApiFailure.describe(e)).isEqualTo("2 problems:\n"
                + "  url scheme 'gopher' is not supported (field: inputs[0].url)\n"
                + "  segment_count must be between 2 and 100 (field: segment_count)");
    }

    @Test
    void oneViolationKeepsTheOneLineForm() throws Exception {
        ApiError e = json.readValue("{\"error\":\"invalid\",\"message\":\"bad\",\"field\":\"name\"}", ApiError.class);
        assertThat(ApiFailure.describe(e)).isEqualTo("bad (field: name)");
    }
}
