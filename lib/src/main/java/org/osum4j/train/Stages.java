package org.osum4j.train;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * Which parameters train, by canonical checkpoint name (see {@code org.osum4j.model.io.NameMapping}):
 * <pre>
 *   encoder.*                     Whisper encoder            (OSUM fire_module "encoder")
 *   adapter.*                     conv + transformer adapter, incl. adapter.proj (OSUM "link")
 *   speech_embed.weight           speech bos/eos rows        (trainable in every OSUM stage: never frozen there)
 *   llm.*.lora_A.weight / lora_B  LoRA of q,k,v,o,gate,down  (peft: the only trainable LLM tensors)
 *   llm.* (rest)                  base Qwen2                 (frozen in all OSUM stages)
 * </pre>
 * The presets follow the maintainer's staging (osum-spec §1.7, §4.2): adapter → adapter+encoder →
 * adapter+encoder+lora; "all" trains everything (e.g. a model from scratch). Frozen names get no gradient and
 * no optimizer state. A custom stage is a list of regular expressions matched against the whole name.
 */
public final class Stages {

    public static final String ADAPTER = "adapter";
    public static final String ADAPTER_ENCODER = "adapter+encoder";
    public static final String ADAPTER_ENCODER_LORA = "adapter+encoder+lora";
    public static final String ALL = "all";
    /** The stage name whose trainable names come from a regex list. */
    public static final String CUSTOM = "custom";

    private static final Predicate<String> ADAPTER_PART = n -> n.startsWith("adapter.") || n.equals("speech_embed.weight");
    private static final Predicate<String> ENCODER_PART = n -> n.startsWith("encoder.");
    private static final Predicate<String> LORA_PART = n -> n.startsWith("llm.") && (n.contains(".lora_A.") || n.contains(".lora_B."));

    private static final Map<String, Predicate<String>> PRESETS = Map.of(
            ADAPTER, ADAPTER_PART,
            ADAPTER_ENCODER, ADAPTER_PART.or(ENCODER_PART),
            ADAPTER_ENCODER_LORA, ADAPTER_PART.or(ENCODER_PART).or(LORA_PART),
            ALL, n -> true);

    private Stages() {}

    /** The preset names. */
    public static Set<String> presets() {
        return new TreeSet<>(PRESETS.keySet());
    }

    /** A preset's predicate; an unknown name is an error listing the presets. */
    public static Predicate<String> preset(String name) {
        Predicate<String> p = PRESETS.get(name);
        if (p == null) throw new IllegalArgumentException("unknown training stage '" + name + "': expected one of "
                + presets() + " or '" + CUSTOM + "' with a list of name patterns");
        return p;
    }

    /** Names matching any of the regular expressions (whole-name match). */
    public static Predicate<String> regex(List<String> patterns) {
        if (patterns == null || patterns.isEmpty())
            throw new IllegalArgumentException("custom training stage: the list of trainable name patterns is empty");
        List<Pattern> compiled = patterns.stream().map(p -> {
            try {
                return Pattern.compile(p);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("custom training stage: bad name pattern '" + p + "': " + e.getDescription());
            }
        }).toList();
        return n -> compiled.stream().anyMatch(p -> p.matcher(n).matches());
    }

    /** The predicate of a stage: a preset, or {@link #CUSTOM} with {@code patterns}. */
    public static Predicate<String> of(String stage, List<String> patterns) {
        if (CUSTOM.equals(stage)) return regex(patterns);
        if (patterns != null && !patterns.isEmpty())
            throw new IllegalArgumentException("training stage '" + stage + "' is a preset; trainable patterns "
                    + patterns + " are only read with stage '" + CUSTOM + "'");
        return preset(stage);
    }

    /**
     * The trainable subset of {@code names} (in their order); none selected is an error showing some names,
     * since it nearly always means a stage written for another naming.
     */
    public static Set<String> select(Iterable<String> names, Predicate<String> trainable, String stageLabel) {
        Set<String> out = new java.util.LinkedHashSet<>();
        List<String> all = new java.util.ArrayList<>();
        for (String n : names) {
            all.add(n);
            if (trainable.test(n)) out.add(n);
        }
        if (out.isEmpty()) throw new IllegalArgumentException("training stage '" + stageLabel + "' selects none of the "
                + all.size() + " parameters (first names: " + all.stream().limit(5).collect(Collectors.joining(", ")) + ")");
        return out;
    }
}
