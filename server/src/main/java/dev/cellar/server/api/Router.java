package dev.cellar.server.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Matches {@code METHOD /path/{name}/...} patterns; a {@code {name}} matches one path segment. */
final class Router {
    interface Handler {
        Object handle(AdminApi.Request request);
    }

    record Route(String method, String[] pattern, int successStatus, Handler handler) {
    }

    record Match(Route route, Map<String, String> parameters) {
    }

    private final List<Route> routes = new ArrayList<>();

    Router add(String method, String pattern, Handler handler) {
        return add(method, pattern, 200, handler);
    }

    Router add(String method, String pattern, int successStatus, Handler handler) {
        routes.add(new Route(method, split(pattern), successStatus, handler));
        return this;
    }

    Optional<Match> match(String method, String rawPath) {
        String[] path = split(rawPath);
        for (Route route : routes) {
            if (route.method().equals(method)) {
                Optional<Map<String, String>> parameters = bind(route.pattern(), path);
                if (parameters.isPresent()) {
                    return Optional.of(new Match(route, parameters.get()));
                }
            }
        }
        return Optional.empty();
    }

    boolean knowsPath(String rawPath) {
        String[] path = split(rawPath);
        return routes.stream().anyMatch(r -> bind(r.pattern(), path).isPresent());
    }

    private static Optional<Map<String, String>> bind(String[] pattern, String[] path) {
        if (pattern.length != path.length) {
            return Optional.empty();
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        for (int i = 0; i < pattern.length; i++) {
            if (pattern[i].startsWith("{") && pattern[i].endsWith("}")) {
                String value = URLDecoder.decode(path[i], StandardCharsets.UTF_8);
                if (value.isEmpty()) {
                    return Optional.empty();
                }
                parameters.put(pattern[i].substring(1, pattern[i].length() - 1), value);
            } else if (!pattern[i].equals(path[i])) {
                return Optional.empty();
            }
        }
        return Optional.of(parameters);
    }

    private static String[] split(String path) {
        String trimmed = path.replaceAll("^/+|/+$", "");
        return trimmed.isEmpty() ? new String[0] : trimmed.split("/");
    }
}
