"""A HuggingFace causal language model as storyboard writer (GPT-2 by default, as in the paper).

Models are loaded lazily, once per process, and kept in a small LRU cache keyed by (id or path,
device, dtype); torch and transformers are imported only when a model is first needed. Generation is
serialised per model (one forward pass at a time per loaded model) and runs in the caller's thread.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from services.common import cancellation
from services.storyboard.backends import BackendError, LanguageModelBackend
from services.storyboard.domain import Backend
from services.storyboard.prompts import LlmPrompt

log = logging.getLogger(__name__)

_CACHE_LOCK = threading.Lock()
_CACHE: OrderedDict[tuple[str, str, str], LoadedModel] = OrderedDict()


@dataclass
class GenerationSettings:
    max_new_tokens: int = 800
    temperature: float = 0.8
    top_p: float = 0.9


@dataclass
class LoadedModel:
    name: str
    tokenizer: Any
    model: Any
    device: str
    max_positions: int
    lock: threading.Lock

    @property
    def has_chat_template(self) -> bool:
        return bool(getattr(self.tokenizer, "chat_template", None))


def resolve_device(device: str) -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def load_causal_lm(name: str, *, device: str = "auto", dtype: str = "auto", cache_size: int = 2) -> LoadedModel:
    """Load (or reuse) a causal LM and its tokenizer by hub id or local path."""
    key = (name, device, dtype)
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
        loaded = _load(name, device, dtype)
        _CACHE[key] = loaded
        while len(_CACHE) > max(1, cache_size):
            evicted, _ = _CACHE.popitem(last=False)
            log.info("storyboard model evicted", extra={"model": evicted[0]})
        return loaded


def clear_model_cache() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()


def _load(name: str, device: str, dtype: str) -> LoadedModel:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    resolved = resolve_device(device)
    if dtype == "auto":
        torch_dtype = torch.float16 if resolved.startswith("cuda") else torch.float32
    else:
        torch_dtype = getattr(torch, dtype)
    try:
        tokenizer = AutoTokenizer.from_pretrained(name)
        model = AutoModelForCausalLM.from_pretrained(name, dtype=torch_dtype)
    except (OSError, ValueError) as error:
        # Not on disk and the hub unreachable (or offline), or not a causal LM.
        raise BackendError(f"could not load model {name!r}: {type(error).__name__}") from error
    model.to(resolved)
    model.eval()
    config = model.config
    max_positions = (
        getattr(config, "max_position_embeddings", None) or getattr(config, "n_positions", None)
        or (tokenizer.model_max_length if tokenizer.model_max_length < 1_000_000 else 2048)
    )
    log.info("storyboard model loaded", extra={"model": name, "device": resolved, "dtype": str(torch_dtype)})
    return LoadedModel(name, tokenizer, model, resolved, int(max_positions), threading.Lock())


def generate_text(loaded: LoadedModel, prompt: LlmPrompt, *, seed: int, settings: GenerationSettings) -> str:
    """Sample a continuation: the chat template when the tokenizer has one, else the plain prompt."""
    import torch
    from transformers import StoppingCriteriaList

    tokenizer, model = loaded.tokenizer, loaded.model
    with loaded.lock, torch.inference_mode():
        if loaded.has_chat_template:
            inputs = tokenizer.apply_chat_template(
                prompt.messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
            )
            prefix = ""
        else:
            inputs = tokenizer(prompt.completion, return_tensors="pt")
            prefix = prompt.completion_prefix
        input_ids = inputs["input_ids"]
        # Leave room for at least a few scenes: keep the end of an over-long prompt.
        room = max(32, min(settings.max_new_tokens, loaded.max_positions // 2))
        if input_ids.shape[1] + room > loaded.max_positions:
            keep = max(1, loaded.max_positions - room)
            inputs = {k: v[:, -keep:] for k, v in inputs.items()}
            input_ids = inputs["input_ids"]
        max_new = max(1, min(settings.max_new_tokens, loaded.max_positions - input_ids.shape[1]))
        torch.manual_seed(seed % (2**63))
        pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        output = model.generate(
            **{k: v.to(loaded.device) for k, v in inputs.items()},
            do_sample=True,
            temperature=settings.temperature,
            top_p=settings.top_p,
            max_new_tokens=max_new,
            pad_token_id=pad_id,
            # A cancelled call (client gone, deadline passed) stops at the next token.
            stopping_criteria=StoppingCriteriaList([cancellation.stopping_criteria()]),
        )
        cancellation.check()
        continuation = tokenizer.decode(output[0, input_ids.shape[1] :], skip_special_tokens=True)
    return f"{prefix}{continuation}" if prefix else continuation


class TransformersBackend(LanguageModelBackend):
    kind = Backend.TRANSFORMERS

    def __init__(
        self, default_model: str, *, device: str = "auto", dtype: str = "auto", cache_size: int = 2,
        generation: GenerationSettings | None = None, min_parsed_fraction: float = 0.5,
    ) -> None:
        super().__init__(default_model, min_parsed_fraction)
        self.device = device
        self.dtype = dtype
        self.cache_size = cache_size
        self.generation = generation or GenerationSettings()

    def load(self, model: str | None = None) -> LoadedModel:
        return load_causal_lm(model or self.default_model, device=self.device, dtype=self.dtype,
                              cache_size=self.cache_size)

    def complete(self, prompt: LlmPrompt, *, model: str, seed: int, timeout_s: float | None) -> str:
        loaded = self.load(model)
        try:
            return generate_text(loaded, prompt, seed=seed, settings=self.generation)
        except (RuntimeError, ValueError) as error:  # e.g. CUDA out of memory, a broken template
            raise BackendError(f"generation with {model!r} failed: {type(error).__name__}") from error
