package org.draglora.engine.clip;

import static org.draglora.engine.testing.Tensors.assertMatchesFixture;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import org.draglora.engine.runtime.EngineRuntime;
import org.draglora.engine.testing.Fixtures;
import org.draglora.engine.testing.Tensors;
import org.draglora.engine.weights.SafetensorsFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The text encoder against fixture {@code clip-text-tiny}: transformers' {@code CLIPTextModel(input_ids,
 * output_hidden_states=True)} without an attention mask, on SD-layout ids of length 77 and 7.
 */
class CLIPTextModelParityTest {

    private static NDManager manager;
    private static CLIPTextModel model;
    private static SafetensorsFile inputs;
    private static SafetensorsFile expected;

    @BeforeAll
    static void load() throws Exception {
        EngineRuntime rt = EngineRuntime.cpu();
        manager = rt.newManager();
        try (SafetensorsFile weights = Fixtures.open("clip-text-tiny/model.safetensors")) {
            model = CLIPTextModel.load(weights, rt.newManager(),
                    CLIPTextConfig.load(Fixtures.path("clip-text-tiny/config.json")));
        }
        inputs = Fixtures.open("clip-text-tiny/inputs.safetensors");
        expected = Fixtures.open("clip-text-tiny/expected.safetensors");
    }

    @AfterAll
    static void close() throws Exception {
        model.close();
        manager.close();
        inputs.close();
        expected.close();
    }

    @Test
    void configIsReadFromTheFixture() {
        assertEquals(new CLIPTextConfig(32, 37, 2, 4, 77, 1000, 1e-5, "quick_gelu", 2), model.config());
    }

    @Test
    void fullLengthIdsMatchTransformers() {
        try (NDManager m = manager.newSubManager()) {
            CLIPTextOutput out = model.forward(Tensors.loadLongs(m, inputs, "input_ids"));
            assertMatchesFixture(expected, "last_hidden_state", out.lastHiddenState());
            assertMatchesFixture(expected, "pooler_output", out.pooledOutput());
            assertEquals(3, out.hiddenStates().size());
            for (int i = 0; i < 3; i++) {
                assertMatchesFixture(expected, "hidden_states." + i, out.hiddenStates().get(i));
            }
        }
    }

    @Test
    void shortIdsMatchTransformers() {
        try (NDManager m = manager.newSubManager()) {
            CLIPTextOutput out = model.forward(Tensors.loadLongs(m, inputs, "input_ids_short"));
            assertMatchesFixture(expected, "last_hidden_state_short", out.lastHiddenState());
            assertMatchesFixture(expected, "pooler_output_short", out.pooledOutput());
        }
    }
}
