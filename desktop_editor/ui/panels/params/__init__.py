"""The parameters panel, in sections with one job each.

`panel` composes the sections and owns validation, the cost estimate and Generate; `prompt`
holds the prompt, recent prompts and the character count; `references` the edited image and the
reference images; `size_field` the size presets, custom size and nearest valid size; `output`
and `model_options` the output rows, those of each model's own fields built from the catalogue;
`result` how results are kept and what is sent; `form` the pieces they are all made of. The
state they show is `desktop_editor.ui.models.params_model.ParamsModel`.
"""
