"""Any OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, TGI, Ollama) as storyboard writer.

Asks for JSON (`response_format: json_object`); servers that reject that option are asked again
without it. Connection errors, timeouts, 408/409/429 and 5xx are retried with exponential backoff
(Retry-After honoured up to the backoff cap); other HTTP errors fail at once.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import httpx

from services.storyboard.backends import BackendError, LanguageModelBackend
from services.storyboard.domain import Backend
from services.storyboard.prompts import LlmPrompt

log = logging.getLogger(__name__)

_RETRY_STATUS = frozenset({408, 409, 429})


class OpenAIBackend(LanguageModelBackend):
    kind = Backend.OPENAI

    def __init__(
        self, *, base_url: str, api_key: str | None, default_model: str, timeout_s: float = 60.0,
        max_retries: int = 2, backoff_s: float = 0.5, max_backoff_s: float = 8.0, json_mode: bool = True,
        max_tokens: int = 3000, temperature: float = 0.8, top_p: float = 0.9, min_parsed_fraction: float = 0.5,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(default_model, min_parsed_fraction)
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.json_mode = json_mode
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.top_p = top_p
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(headers=headers, transport=transport)

    def close(self) -> None:
        self._client.close()

    def complete(self, prompt: LlmPrompt, *, model: str, seed: int, timeout_s: float | None) -> str:
        if not self.base_url:
            raise BackendError("no OpenAI-compatible endpoint configured (CINESYNTH_OPENAI_BASE_URL)")
        payload: dict[str, Any] = {
            "model": model,
            "messages": prompt.messages,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_tokens": self.max_tokens,
            "seed": seed % (2**31),
        }
        if self.json_mode:
            payload["response_format"] = {"type": "json_object"}
        deadline = time.monotonic() + timeout_s if timeout_s else None
        url = f"{self.base_url}/chat/completions"
        last_error = "no attempt made"
        attempt = 0
        while attempt <= self.max_retries:
            timeout = self.timeout_s
            if deadline is not None:
                timeout = min(timeout, deadline - time.monotonic())
                if timeout <= 0:
                    raise BackendError(f"deadline reached before the model answered ({last_error})")
            try:
                response = self._client.post(url, json=payload, timeout=timeout)
            except httpx.TimeoutException:
                last_error = f"timed out after {timeout:.1f} s"
            except httpx.TransportError as error:
                last_error = f"connection failed: {type(error).__name__}"
            else:
                if response.status_code in (400, 422) and "response_format" in payload:
                    # Older vLLM/TGI/Ollama builds reject JSON mode: ask again without it.
                    log.info("endpoint rejected response_format; retrying without it")
                    payload.pop("response_format")
                    continue
                if response.status_code < 400:
                    return _content(response)
                last_error = f"HTTP {response.status_code}"
                if response.status_code not in _RETRY_STATUS and response.status_code < 500:
                    raise BackendError(f"model endpoint refused the request: {last_error}")
                retry_after = _retry_after(response)
                if retry_after is not None and attempt < self.max_retries:
                    time.sleep(min(retry_after, self.max_backoff_s))
                    attempt += 1
                    continue
            attempt += 1
            if attempt <= self.max_retries:
                time.sleep(min(self.backoff_s * 2 ** (attempt - 1), self.max_backoff_s))
        raise BackendError(f"model endpoint failed after {self.max_retries + 1} attempts: {last_error}")


def _content(response: httpx.Response) -> str:
    try:
        data = response.json()
        content = data["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise BackendError(f"malformed chat-completions response: {type(error).__name__}") from error
    if not isinstance(content, str):
        raise BackendError("chat-completions response has no text content")
    return content


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
