package org.draglora.engine.weights;

import java.util.List;

/**
 * The few layout facts that the LDM/CompVis single-file names depend on: how many down/up blocks
 * the UNet and the VAE have, how many layers each block holds, and which UNet blocks carry
 * transformers. The LDM names number the UNet's layers flatly ({@code input_blocks.N},
 * {@code output_blocks.N}) and the VAE decoder's blocks in reverse, so these facts are needed to
 * translate them (diffusers scripts/convert_original_stable_diffusion_to_diffusers.py,
 * {@code convert_ldm_unet_checkpoint}).
 *
 * @param unetBlocks number of UNet down blocks (= up blocks), {@code len(block_out_channels)}
 * @param unetLayersPerBlock {@code layers_per_block} of the UNet (up blocks have one more)
 * @param unetDownAttention per down block: whether it is a {@code CrossAttnDownBlock2D}
 * @param unetUpAttention per up block: whether it is a {@code CrossAttnUpBlock2D}
 * @param vaeBlocks number of VAE encoder down blocks (= decoder up blocks)
 * @param vaeLayersPerBlock {@code layers_per_block} of the VAE (decoder blocks have one more)
 */
public record LdmLayout(
        int unetBlocks,
        int unetLayersPerBlock,
        List<Boolean> unetDownAttention,
        List<Boolean> unetUpAttention,
        int vaeBlocks,
        int vaeLayersPerBlock) {

    public LdmLayout {
        unetDownAttention = List.copyOf(unetDownAttention);
        unetUpAttention = List.copyOf(unetUpAttention);
        if (unetBlocks < 1 || unetLayersPerBlock < 1 || vaeBlocks < 1 || vaeLayersPerBlock < 1) {
            throw new IllegalArgumentException("block and layer counts must be positive, got unetBlocks " + unetBlocks
                    + ", unetLayersPerBlock " + unetLayersPerBlock + ", vaeBlocks " + vaeBlocks
                    + ", vaeLayersPerBlock " + vaeLayersPerBlock);
        }
        if (unetDownAttention.size() != unetBlocks || unetUpAttention.size() != unetBlocks) {
            throw new IllegalArgumentException("unetBlocks " + unetBlocks + " needs as many attention flags, got "
                    + unetDownAttention.size() + " down and " + unetUpAttention.size() + " up");
        }
    }

    /**
     * The SD 1.x layout (also that of the tiny fixtures): 4 UNet blocks of 2 layers, down blocks
     * 0-2 and up blocks 1-3 with transformers; 4 VAE blocks of 2 layers (ALGORITHM.md §1.2, §1.3).
     */
    public static LdmLayout sd15() {
        return fromBlockTypes(
                List.of("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
                List.of("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
                2, 4, 2);
    }

    /**
     * A layout from the diffusers config values: {@code down_block_types}, {@code up_block_types}
     * and {@code layers_per_block} of the UNet, {@code len(block_out_channels)} and
     * {@code layers_per_block} of the VAE. A block has transformers when its type starts with
     * {@code CrossAttn}; any type other than the four SD 1.5 ones is rejected.
     */
    public static LdmLayout fromBlockTypes(List<String> downBlockTypes, List<String> upBlockTypes,
            int unetLayersPerBlock, int vaeBlocks, int vaeLayersPerBlock) {
        if (downBlockTypes.size() != upBlockTypes.size()) {
            throw new IllegalArgumentException("down_block_types " + downBlockTypes + " and up_block_types "
                    + upBlockTypes + " differ in length");
        }
        return new LdmLayout(downBlockTypes.size(), unetLayersPerBlock,
                downBlockTypes.stream().map(t -> hasAttention(t, "CrossAttnDownBlock2D", "DownBlock2D")).toList(),
                upBlockTypes.stream().map(t -> hasAttention(t, "CrossAttnUpBlock2D", "UpBlock2D")).toList(),
                vaeBlocks, vaeLayersPerBlock);
    }

    private static boolean hasAttention(String type, String withAttention, String without) {
        if (type.equals(withAttention)) {
            return true;
        }
        if (type.equals(without)) {
            return false;
        }
        throw new IllegalArgumentException("block type '" + type + "' is not supported (SD 1.5 uses "
                + withAttention + " and " + without + ")");
    }
}
