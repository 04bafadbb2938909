package org.draglora.engine.unet;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A kind of UNet layer a LoRA can adapt. DragLoRA and DragDiffusion adapt the attention
 * projections only (ALGORITHM.md §1.4, the diffusers LoRA attention processors of the reference
 * code), and that stays the default. A model whose content lives in its convolutions (the
 * embedded model, docs/shapedrag-experiments.md, "Why DragLoRA loses the objects") can add the resnets' 3x3 convolutions,
 * as LoCon / LyCORIS do for SD: a kxk down convolution to the rank, then a 1x1 up convolution.
 */
public enum LoraTarget {

    /** to_q, to_k, to_v, to_out.0 of every attention (the reference's targets). */
    ATTENTION,
    /** conv1 and conv2 of every UNet resnet (not the 1x1 shortcuts, not the samplers). */
    RESNET_CONVS;

    /** The name in draglora.json: {@code attention}, {@code resnet_convs}. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The target called {@code name} in draglora.json. */
    public static LoraTarget parse(String name) {
        for (LoraTarget t : values()) {
            if (t.jsonName().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown LoRA target '" + name + "', expected one of "
                + Arrays.stream(values()).map(LoraTarget::jsonName).collect(Collectors.joining(", ")));
    }
}
