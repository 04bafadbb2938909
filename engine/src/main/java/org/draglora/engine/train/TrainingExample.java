package org.draglora.engine.train;

import org.draglora.engine.io.RgbImage;

/** One training image and its prompt. */
public record TrainingExample(RgbImage image, String prompt) {}
