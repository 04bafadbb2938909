package org.draglora.engine.model;

import java.util.Locale;

/** The Stable Diffusion components with weights, named as in a diffusers folder. */
public enum ModelComponent {
    UNET("unet", "UNet2DConditionModel"),
    VAE("vae", "AutoencoderKL"),
    TEXT_ENCODER("text_encoder", "CLIPTextModel");

    private final String folder;
    private final String className;

    ModelComponent(String folder, String className) {
        this.folder = folder;
        this.className = className;
    }

    /** The sub-folder name in a diffusers pipeline folder. */
    public String folder() {
        return folder;
    }

    /** The diffusers/transformers class name in its config. */
    public String className() {
        return className;
    }

    /** The component of a class name, or an exception naming it. */
    public static ModelComponent ofClass(String className) {
        for (ModelComponent c : values()) {
            if (c.className.equals(className)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown model class '" + className
                + "': expected UNet2DConditionModel, AutoencoderKL or CLIPTextModel");
    }

    /** Parses {@code unet}, {@code vae} or {@code text_encoder} (also {@code text-encoder}). */
    public static ModelComponent parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        for (ModelComponent c : values()) {
            if (c.folder.equals(t)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown component '" + text + "': use unet, vae or text_encoder");
    }
}
