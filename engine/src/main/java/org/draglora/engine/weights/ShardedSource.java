package org.draglora.engine.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One source over one or more safetensors files: the shards of a checkpoint described by a
 * {@code *.safetensors.index.json} (the Hugging Face format {@code {"metadata": {...},
 * "weight_map": {"key": "file-00001-of-00002.safetensors", ...}}}), or a single file. Every key
 * must live in exactly one file; with an index, every key must also live in the file the index
 * names, and every key of a shard must be listed.
 */
public final class ShardedSource implements WeightSource, java.io.Closeable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String origin;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> owners;
    private final Map<String, TensorInfo> infos;

    private ShardedSource(String origin, List<SafetensorsFile> files) {
        this.origin = origin;
        this.files = List.copyOf(files);
        Map<String, SafetensorsFile> o = new LinkedHashMap<>();
        Map<String, TensorInfo> m = new TreeMap<>();
        for (SafetensorsFile f : files) {
            for (TensorInfo info : f.infos().values()) {
                SafetensorsFile previous = o.put(info.name(), f);
                if (previous != null) {
                    throw new IllegalArgumentException(origin + ": tensor '" + info.name() + "' is in both "
                            + previous.path().getFileName() + " and " + f.path().getFileName());
                }
                m.put(info.name(), info);
            }
        }
        this.owners = Collections.unmodifiableMap(o);
        this.infos = Collections.unmodifiableMap(m);
    }

    /** Opens the given safetensors files as one source (a key in two files is an error). */
    public static ShardedSource of(List<Path> paths) throws IOException {
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("no safetensors files given");
        }
        List<SafetensorsFile> opened = openAll(paths);
        try {
            String origin = paths.size() == 1 ? paths.get(0).toString() : paths.get(0).getParent() + " " + fileNames(paths);
            return new ShardedSource(origin, opened);
        } catch (RuntimeException e) {
            closeAll(opened, e);
            throw e;
        }
    }

    /**
     * Opens the shards listed by a {@code *.safetensors.index.json}; shard names are resolved next
     * to the index and must not leave its folder.
     */
    public static ShardedSource open(Path indexJson) throws IOException {
        JsonNode root = JSON.readTree(indexJson.toFile());
        JsonNode weightMap = root == null ? null : root.get("weight_map");
        if (weightMap == null || !weightMap.isObject() || weightMap.size() == 0) {
            throw new IllegalArgumentException(indexJson + ": no \"weight_map\" object (not a sharded-checkpoint index)");
        }
        Path dir = indexJson.toAbsolutePath().getParent();
        Map<String, String> shardOf = new LinkedHashMap<>();
        List<Path> shards = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String file = e.getValue().asText();
            Path shard = dir.resolve(file).normalize();
            if (!e.getValue().isTextual() || !dir.equals(shard.getParent())) {
                throw new IllegalArgumentException(indexJson + ": tensor '" + e.getKey() + "' names shard '"
                        + e.getValue() + "', which is not a file next to the index");
            }
            if (!shards.contains(shard)) {
                if (!Files.isRegularFile(shard)) {
                    throw new IllegalArgumentException(indexJson + ": shard '" + file + "' is missing");
                }
                shards.add(shard);
            }
            shardOf.put(e.getKey(), shard.getFileName().toString());
        }
        List<SafetensorsFile> opened = openAll(shards);
        try {
            ShardedSource source = new ShardedSource(indexJson.toString(), opened);
            source.checkAgainstIndex(shardOf);
            return source;
        } catch (RuntimeException e) {
            closeAll(opened, e);
            throw e;
        }
    }

    private void checkAgainstIndex(Map<String, String> shardOf) {
        List<String> problems = new ArrayList<>();
        shardOf.forEach((key, file) -> {
            SafetensorsFile owner = owners.get(key);
            if (owner == null) {
                problems.add("'" + key + "' is listed for " + file + " but no shard holds it");
            } else if (!owner.path().getFileName().toString().equals(file)) {
                problems.add("'" + key + "' is listed for " + file + " but is in " + owner.path().getFileName());
            }
        });
        for (String key : infos.keySet()) {
            if (!shardOf.containsKey(key)) {
                problems.add("'" + key + "' in " + owners.get(key).path().getFileName() + " is not in the index");
            }
        }
        if (!problems.isEmpty()) {
            int shown = Math.min(problems.size(), 10);
            throw new IllegalArgumentException(origin + ": index and shards disagree (" + problems.size() + "): "
                    + String.join("; ", problems.subList(0, shown)) + (shown < problems.size() ? "; ..." : ""));
        }
    }

    private static List<SafetensorsFile> openAll(List<Path> paths) throws IOException {
        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            for (Path p : paths) {
                opened.add(SafetensorsFile.open(p));
            }
        } catch (IOException | RuntimeException e) {
            closeAll(opened, e);
            throw e;
        }
        return opened;
    }

    private static void closeAll(List<SafetensorsFile> files, Exception cause) {
        for (SafetensorsFile f : files) {
            try {
                f.close();
            } catch (IOException e) {
                cause.addSuppressed(e);
            }
        }
    }

    private static List<String> fileNames(List<Path> paths) {
        return paths.stream().map(p -> p.getFileName().toString()).toList();
    }

    /** The files, in the order they were opened. */
    public List<Path> files() {
        return files.stream().map(SafetensorsFile::path).toList();
    }

    @Override
    public Map<String, TensorInfo> infos() {
        return infos;
    }

    @Override
    public ByteBuffer readFloat32(String name) throws IOException {
        SafetensorsFile owner = owners.get(name);
        if (owner == null) {
            throw new IllegalArgumentException("no tensor '" + name + "' in " + origin);
        }
        return owner.readFloat32(name);
    }

    @Override
    public String describe() {
        return origin;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (SafetensorsFile f : files) {
            try {
                f.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
