package io.tributary.agent.control;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.tributary.api.stream.StreamConfig;

/**
 * One page of a config backend's answer to {@code GET /streams}, read leniently: a stream object
 * that does not bind is set aside under its name (reported per stream) instead of failing the
 * page. Pure logic: bytes in, page or {@link ConfigBackendException} out.
 */
public record BackendPage(List<StreamConfig> streams, Map<String, String> unreadable, List<String> nameless,
        String next) {

    public static BackendPage parse(ObjectMapper json, byte[] body) throws ConfigBackendException {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (IOException e) {
            throw new ConfigBackendException(ConfigBackendException.MALFORMED_JSON, "not JSON: " + firstLine(e));
        }
        if (root == null || root.isMissingNode()) {
            throw new ConfigBackendException(ConfigBackendException.MALFORMED_JSON, "empty body");
        }
        if (!root.isObject()) {
            throw new ConfigBackendException(ConfigBackendException.VALIDATION_ERROR,
                    "the answer must be an object with \"streams\", got " + root.getNodeType().name().toLowerCase());
        }
        JsonNode list = root.get("streams");
        if (list == null || !list.isArray()) {
            throw new ConfigBackendException(ConfigBackendException.VALIDATION_ERROR,
                    "\"streams\" must be an array" + (list == null ? " and is missing" : ""));
        }
        JsonNode nextNode = root.get("next");
        if (nextNode != null && !nextNode.isNull() && !nextNode.isTextual()) {
            throw new ConfigBackendException(ConfigBackendException.VALIDATION_ERROR, "\"next\" must be a string or null");
        }
        List<StreamConfig> streams = new ArrayList<>();
        Map<String, String> unreadable = new LinkedHashMap<>();
        List<String> nameless = new ArrayList<>();
        int i = 0;
        for (JsonNode item : list) {
            JsonNode name = item.isObject() ? item.get("name") : null;
            if (name == null || !name.isTextual() || name.asText().isEmpty()) {
                nameless.add("streams[" + i + "] has no \"name\"");
            } else {
                try {
                    streams.add(json.treeToValue(item, StreamConfig.class));
                } catch (IOException | IllegalArgumentException e) {
                    unreadable.put(name.asText(), firstLine(e));
                }
            }
            i++;
        }
        return new BackendPage(streams, unreadable, nameless,
                nextNode == null || nextNode.isNull() ? null : nextNode.asText());
    }

    private static String firstLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        m = nl < 0 ? m : m.substring(0, nl);
        return m.length() > 200 ? m.substring(0, 200) + "..." : m;
    }
}
