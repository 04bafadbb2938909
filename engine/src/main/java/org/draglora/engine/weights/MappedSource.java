package org.draglora.engine.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A renamed view of another source: each new key reads the bytes of one key of the base source,
 * optionally with another shape of the same element count (LDM stores the VAE attention
 * projections as 1x1 conv kernels {@code [C, C, 1, 1]} where diffusers has Linear {@code [C, C]}).
 */
public final class MappedSource implements WeightSource {

    /** Where one renamed key comes from. */
    public record Mapping(String baseKey, long[] shape) {
        public Mapping {
            shape = shape == null ? null : shape.clone();
        }
    }

    private final String origin;
    private final WeightSource base;
    private final Map<String, String> baseKeys;
    private final Map<String, TensorInfo> infos;

    /**
     * @param origin description for error messages
     * @param base the source holding the bytes
     * @param mappings new key -> base key (and an optional new shape, {@code null} to keep it)
     */
    public MappedSource(String origin, WeightSource base, Map<String, Mapping> mappings) {
        this.origin = origin;
        this.base = base;
        Map<String, String> keys = new LinkedHashMap<>();
        Map<String, TensorInfo> m = new LinkedHashMap<>();
        mappings.forEach((name, mapping) -> {
            TensorInfo b = base.infos().get(mapping.baseKey());
            if (b == null) {
                throw new IllegalArgumentException(origin + ": mapping of '" + name + "' names '"
                        + mapping.baseKey() + "', which " + base.describe() + " lacks");
            }
            long[] shape = mapping.shape() == null ? b.shape() : mapping.shape();
            if (TensorInfo.elementCount(shape) != b.elementCount()) {
                throw new IllegalArgumentException(origin + ": cannot view '" + mapping.baseKey() + "' "
                        + b.shapeText() + " as " + TensorInfo.shapeText(shape));
            }
            keys.put(name, mapping.baseKey());
            m.put(name, new TensorInfo(name, b.dtype(), shape, b.begin(), b.end()));
        });
        this.baseKeys = Collections.unmodifiableMap(keys);
        this.infos = Collections.unmodifiableMap(m);
    }

    /** The base key a renamed key reads from. */
    public String baseKey(String name) {
        return baseKeys.get(name);
    }

    @Override
    public Map<String, TensorInfo> infos() {
        return infos;
    }

    @Override
    public ByteBuffer readFloat32(String name) throws IOException {
        String b = baseKeys.get(name);
        if (b == null) {
            throw new IllegalArgumentException("no tensor '" + name + "' in " + origin);
        }
        return base.readFloat32(b);
    }

    @Override
    public boolean hasValues() {
        return base.hasValues();
    }

    @Override
    public String describe() {
        return origin;
    }
}
