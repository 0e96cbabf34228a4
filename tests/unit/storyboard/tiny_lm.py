"""A tiny random GPT-2 built offline: a byte-level BPE trained on a few sentences + a 2-layer model.

Saved with save_pretrained so that tests load it through the production loader, like a hub model.
"""

from __future__ import annotations

from pathlib import Path

SENTENCES = [
    "Scene 1: A lighthouse keeper climbs the stairs and lights the lamp at dusk.",
    "Scene 2: The storm arrives; waves break over the rocks and rain lashes the glass.",
    "Description: a wide shot of the coast. Camera: dolly in. Lighting: moonlight. Mood: tense.",
    "Narration: Every night for thirty years, she has kept the light burning.",
    '{"title": "The Last Watch", "scenes": [{"description": "the keeper waits", "narration": "quiet"}]}',
    "A storyboard for a short film of five scenes about a robot, a recipe, a chase and a poem.",
]
CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)


def build_tiny_gpt2(directory: Path, *, chat_template: bool = False, n_positions: int = 512) -> Path:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    bpe = Tokenizer(models.BPE(unk_token="<|endoftext|>"))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400, special_tokens=["<|endoftext|>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    bpe.train_from_iterator(SENTENCES * 4, trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe, eos_token="<|endoftext|>", bos_token="<|endoftext|>", unk_token="<|endoftext|>",
        model_max_length=n_positions,
    )
    if chat_template:
        tokenizer.chat_template = CHAT_TEMPLATE
    config = GPT2Config(
        vocab_size=len(tokenizer), n_positions=n_positions, n_embd=32, n_layer=2, n_head=2,
        bos_token_id=tokenizer.eos_token_id, eos_token_id=tokenizer.eos_token_id,
    )
    import torch

    torch.manual_seed(0)
    model = GPT2LMHeadModel(config)
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory
