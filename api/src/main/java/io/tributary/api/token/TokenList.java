package io.tributary.api.token;

import java.util.List;

/** Every active API token (without secrets). */
public record TokenList(List<TokenInfo> tokens) {
}
