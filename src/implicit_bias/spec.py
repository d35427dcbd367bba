"""The TOML spec: a pydantic schema that mirrors the Python API, and its sweep expansion.

Every section has a ``kind`` picking a registered component; unknown keys and bad values are
rejected with the field path. Nothing in a spec executes or imports code: kinds map to the
classes registered here and nothing else.
"""

import hashlib
import itertools
import json
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import jax
import jax.numpy as jnp
import numpy as np
from pydantic import BaseModel, ConfigDict, Field, NonNegativeFloat, NonNegativeInt, PositiveFloat, \
    PositiveInt, TypeAdapter, ValidationError, field_validator, model_validator

from . import dynamics, initializations, models, problems
from .errors import SpecError
from .observables import REGISTRY as OBSERVABLES


def _f(x: float) -> jax.Array:
    """Scalars enter components as float64 arrays, so sweeping them never recompiles."""
    return jnp.asarray(x, dtype=jnp.float64)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- problem ---------------------------------------------------------------------------------

class DataFile(_Section):
    file: str = Field(description="path to .npz (X, Y or y) or .csv (features…, y), relative to the spec")


class DigitsData(_Section):
    digits: tuple[int, int] = Field(description="two classes of the handwritten digits (first → +1, second → −1)")
    random_labels: bool = Field(False, description="replace every label by a fair ±1 coin (Arora et al.'s control)")


class RegressionSpec(_Section):
    kind: Literal["regression"]
    n_samples: PositiveInt = 20
    input_dim: PositiveInt = 50
    output_dim: PositiveInt = 1
    data: Literal["gaussian", "rademacher", "quadratic_teacher"] | DataFile | DigitsData = Field(
        "gaussian", description="generated features (Gaussian N(0, input_std²) or ±input_std signs), "
                                "Satpathi's quadratic teacher, a data file, or {digits = [a, b]}")
    n_test: NonNegativeInt = Field(0, description="held-out samples (generators and digits) for test observables")
    data_seed: NonNegativeInt = 0
    input_std: PositiveFloat | None = Field(None, description="std of X's entries; default 1/√input_dim")
    teacher_std: NonNegativeFloat = 1.0
    noise: NonNegativeFloat = 0.0
    teacher_nonzeros: PositiveInt | None = Field(None, description="sparse teacher: only its first k rows nonzero")

    def build(self, base_dir: Path) -> problems.Regression:
        return _build_regression(self.model_dump_json(), str(base_dir), frozenset(self.model_fields_set))


@lru_cache(maxsize=64)
def _build_regression(spec_json: str, base_dir: str, given: frozenset[str]) -> problems.Regression:
    # Cached: a sweep over seeds reuses one data set instead of regenerating it per run.
    s = RegressionSpec.model_validate_json(spec_json)
    if s.data in ("gaussian", "rademacher"):
        return problems.gaussian_regression(s.n_samples, s.input_dim, s.output_dim, seed=s.data_seed,
                                            input_std=s.input_std, teacher_std=s.teacher_std, noise=s.noise,
                                            features=s.data, teacher_nonzeros=s.teacher_nonzeros, n_test=s.n_test)
    if s.data == "quadratic_teacher":
        return problems.quadratic_teacher_regression(s.n_samples, s.input_dim, seed=s.data_seed, n_test=s.n_test)
    if isinstance(s.data, DigitsData):
        return problems.digits_regression(s.data.digits, s.n_samples, s.n_test, seed=s.data_seed,
                                          random_labels=s.data.random_labels)
    if s.n_test:
        raise SpecError("problem.n_test", "a data file brings no held-out set", "remove problem.n_test")
    problem = problems.load_regression(Path(base_dir) / s.data.file)
    for name, got in (("n_samples", problem.X.shape[0]), ("input_dim", problem.X.shape[1]),
                      ("output_dim", problem.Y.shape[1])):
        if name in given and getattr(s, name) != got:
            raise SpecError(f"problem.{name}", f"is {getattr(s, name)} but the data file has {got}",
                            f"remove problem.{name} (it is read from the file) or fix it")
    return problem


class ClassificationSpec(_Section):
    kind: Literal["classification"]
    loss: Literal["logistic", "exponential"] = "logistic"
    n_samples: PositiveInt = 20
    input_dim: PositiveInt = 2
    data: Literal["separable"] | DataFile = "separable"
    margin: PositiveFloat = Field(0.1, description="separable data: every y·uᵀx ≥ margin for a unit teacher u")
    data_seed: NonNegativeInt = 0

    def build(self, base_dir: Path) -> problems.Classification:
        return _build_classification(self.model_dump_json(), str(base_dir), frozenset(self.model_fields_set))


@lru_cache(maxsize=64)
def _build_classification(spec_json: str, base_dir: str, given: frozenset[str]) -> problems.Classification:
    s = ClassificationSpec.model_validate_json(spec_json)
    if s.data == "separable":
        return problems.separable_classification(s.n_samples, s.input_dim, margin=s.margin, loss=s.loss,
                                                 seed=s.data_seed)
    problem = problems.load_classification(Path(base_dir) / s.data.file, s.loss)
    for name, got in (("n_samples", problem.X.shape[0]), ("input_dim", problem.X.shape[1])):
        if name in given and getattr(s, name) != got:
            raise SpecError(f"problem.{name}", f"is {getattr(s, name)} but the data file has {got}",
                            f"remove problem.{name} (it is read from the file) or fix it")
    return problem


class OnlineTeacherStudentSpec(_Section):
    kind: Literal["online_teacher_student"]
    input_dim: PositiveInt = Field(1000, description="N, the input dimension")
    teacher_width: PositiveInt = Field(2, description="p*, the teacher's hidden units")
    teacher_scale: PositiveFloat | Literal["1/width"] = Field(1.0, description="b; '1/width' for 1/p*")
    teacher: Literal["orthonormal", "gaussian"] = "orthonormal"
    teacher_seed: NonNegativeInt = 0
    draw_dtype: Literal["float32", "float64"] = Field("float32", description="dtype inputs are drawn in")
    activation: Literal["quadratic", "erf"] = Field("quadratic", description="g of teacher and student units: "
                                                    "ν² or erf(ν/√2) (soft committee machine)")

    def build(self, base_dir: Path) -> problems.OnlineTeacherStudent:
        return _build_teacher_student(self.model_dump_json())


@lru_cache(maxsize=64)
def _build_teacher_student(spec_json: str) -> problems.OnlineTeacherStudent:
    s = OnlineTeacherStudentSpec.model_validate_json(spec_json)
    if s.teacher == "orthonormal" and s.teacher_width > s.input_dim:
        raise SpecError("problem.teacher_width", f"{s.teacher_width} orthonormal rows do not fit in "
                        f"dimension {s.input_dim}", "use teacher = 'gaussian' or a smaller teacher_width")
    b = 1.0 / s.teacher_width if s.teacher_scale == "1/width" else s.teacher_scale
    W = problems.make_teacher(s.teacher, s.teacher_width, s.input_dim, s.teacher_seed)
    return problems.OnlineTeacherStudent(jnp.asarray(W), b, s.draw_dtype, s.activation)


class WhitenedRegressionSpec(_Section):
    """Saxe et al.'s setting: XᵀX = I and a teacher with the given singular values."""
    kind: Literal["whitened_regression"]
    n_samples: PositiveInt = 8
    input_dim: PositiveInt = 6
    output_dim: PositiveInt = 4
    singular_values: list[PositiveFloat] = Field(default_factory=lambda: [3.0, 2.0, 1.0], min_length=1)
    data_seed: NonNegativeInt = 0

    @model_validator(mode="after")
    def _sizes(self):
        if self.n_samples < self.input_dim:
            raise ValueError(f"whitened inputs need n_samples ≥ input_dim = {self.input_dim}, got {self.n_samples}")
        if len(self.singular_values) > min(self.input_dim, self.output_dim):
            raise ValueError(f"{len(self.singular_values)} singular values exceed min(input_dim, output_dim)")
        return self

    def build(self, base_dir: Path) -> problems.Regression:
        return _build_matrix_problem(self.model_dump_json())


class MatrixSensingSpec(_Section):
    """Gaussian symmetric measurements of a random rank-r PSD dim×dim target."""
    kind: Literal["matrix_sensing"]
    dim: PositiveInt = 10
    rank: PositiveInt = 2
    n_measurements: PositiveInt = 40
    data_seed: NonNegativeInt = 0

    @model_validator(mode="after")
    def _sizes(self):
        if self.rank > self.dim:
            raise ValueError(f"rank {self.rank} exceeds dim {self.dim}")
        return self

    def build(self, base_dir: Path) -> problems.MatrixSensing:
        return _build_matrix_problem(self.model_dump_json())


class MatrixCompletionSpec(_Section):
    """Observed entries of a shape[0]×shape[1] matrix: listed, or drawn from a random rank-r one."""
    kind: Literal["matrix_completion"]
    shape: tuple[PositiveInt, PositiveInt] = (10, 10)
    entries: list[tuple[NonNegativeInt, NonNegativeInt, float]] | None = Field(
        None, description="observed (row, column, value), 0-based; default: random rank-r matrix")
    rank: PositiveInt = 2
    n_observed: PositiveInt = 50
    data_seed: NonNegativeInt = 0

    @model_validator(mode="after")
    def _sizes(self):
        if self.entries is None and self.rank > min(self.shape):
            raise ValueError(f"rank {self.rank} exceeds min(shape) = {min(self.shape)}")
        if self.entries is None and self.n_observed > self.shape[0] * self.shape[1]:
            raise ValueError(f"n_observed {self.n_observed} exceeds the {self.shape[0] * self.shape[1]} entries")
        return self

    def build(self, base_dir: Path) -> problems.MatrixCompletion:
        return _build_matrix_problem(self.model_dump_json())


@lru_cache(maxsize=64)
def _build_matrix_problem(spec_json: str):
    # Cached like regression data: a sweep over seeds reuses one data set.
    s = TypeAdapter(ProblemSpec).validate_json(spec_json)
    if s.kind == "whitened_regression":
        return problems.whitened_regression(s.n_samples, s.input_dim, s.output_dim, s.singular_values,
                                            seed=s.data_seed)
    if s.kind == "matrix_sensing":
        return problems.gaussian_sensing(s.dim, s.rank, s.n_measurements, seed=s.data_seed)
    if s.entries is not None:
        return problems.make_matrix_completion(s.shape, s.entries)
    return problems.random_completion(s.shape, s.rank, s.n_observed, seed=s.data_seed)


ProblemSpec = Annotated[Union[RegressionSpec, ClassificationSpec, OnlineTeacherStudentSpec, WhitenedRegressionSpec,
                              MatrixSensingSpec, MatrixCompletionSpec], Field(discriminator="kind")]


# --- model -----------------------------------------------------------------------------------

class TwoLayerLinearSpec(_Section):
    kind: Literal["two_layer_linear"]
    width: PositiveInt

    def build(self, problem: problems.AbstractProblem) -> models.TwoLayerLinear:
        return models.TwoLayerLinear(*_dims(problem), self.width)


class LinearSpec(_Section):
    kind: Literal["linear"]

    def build(self, problem: problems.AbstractProblem) -> models.Linear:
        return models.Linear(*_dims(problem))


def _dims(problem: problems.AbstractProblem) -> tuple[int, int]:
    """(n, m): the shape of the end-to-end predictor Θ a problem asks for (classification has
    one output; matrix problems give their matrix's shape)."""
    if isinstance(problem, problems.Classification):
        return problem.X.shape[1], 1
    if isinstance(problem, problems.Regression):
        return problem.X.shape[1], problem.Y.shape[1]
    return problem.shape


class DiagonalLinearSpec(_Section):
    kind: Literal["diagonal_linear"]
    depth: int = Field(2, ge=2, description="D in β = u^D − v^D (2 for 'product')")
    parametrization: Literal["difference", "product"] = "difference"

    def build(self, problem: problems.AbstractProblem) -> models.DiagonalLinear:
        if self.parametrization == "product" and self.depth != 2:
            raise SpecError("model.depth", f"the product parametrization u⊙v has depth 2, got {self.depth}",
                            "set depth = 2, or parametrization = 'difference' for depth D")
        input_dim, output_dim = _dims(problem)
        if output_dim != 1:
            raise SpecError("problem.output_dim", f"a diagonal network has one output, the data have {output_dim}",
                            "set problem.output_dim = 1 (or give y as a vector)")
        return models.DiagonalLinear(input_dim, self.depth, self.parametrization)


class QuadraticNetworkSpec(_Section):
    kind: Literal["quadratic_network"]
    width: PositiveInt = Field(description="p, the student's hidden units")
    output_scale: PositiveFloat | Literal["1/width"] = Field(1.0, description="a; '1/width' for 1/p")

    def build(self, problem: problems.OnlineTeacherStudent) -> models.QuadraticNetwork:
        a = 1.0 / self.width if self.output_scale == "1/width" else self.output_scale
        return models.QuadraticNetwork(problem.input_dim, self.width, a, problem.activation)


class DeepLinearSpec(_Section):
    kind: Literal["deep_linear"]
    depth: int = Field(ge=2, description="number of layers N")
    width: PositiveInt | None = Field(None, description="every hidden width (give this or widths)")
    widths: list[PositiveInt] | None = Field(None, description="hidden widths d₁…d_{N−1}")

    @model_validator(mode="after")
    def _widths(self):
        if (self.width is None) == (self.widths is None):
            raise ValueError("give exactly one of width (all hidden layers) and widths (one per hidden layer)")
        if self.widths is not None and len(self.widths) != self.depth - 1:
            raise ValueError(f"depth {self.depth} needs {self.depth - 1} hidden widths, got {len(self.widths)}")
        return self

    def build(self, problem: problems.AbstractProblem) -> models.DeepLinear:
        hidden = tuple(self.widths) if self.widths is not None else (self.width,) * (self.depth - 1)
        return models.DeepLinear(*_dims(problem), hidden)


class SymmetricFactorizationSpec(_Section):
    kind: Literal["symmetric_factorization"]
    width: PositiveInt | None = Field(None, description="columns of U; default dim (full rank)")

    def build(self, problem: problems.AbstractProblem) -> models.SymmetricFactorization:
        n, m = _dims(problem)
        if n != m:
            raise SpecError("model.kind", f"Θ = UUᵀ is square but the problem asks for {n}×{m}",
                            "use a square problem (matrix_sensing) or another model")
        return models.SymmetricFactorization(n, self.width if self.width is not None else n)


class TwoLayerReLUSpec(_Section):
    kind: Literal["two_layer_relu"]
    width: PositiveInt
    bias: bool = Field(True, description="append a constant 1 to the inputs (Satpathi & Srikant)")
    train_outer: bool = Field(False, description="train the output weights too (bias = false: the homogeneous net)")

    def build(self, problem: problems.AbstractProblem) -> models.TwoLayerReLU:
        input_dim, output_dim = _dims(problem)
        if output_dim != 1:
            raise SpecError("problem.output_dim", f"two_layer_relu has one output, the data have {output_dim}",
                            "set problem.output_dim = 1")
        return models.TwoLayerReLU(input_dim, self.width, self.bias, self.train_outer)


class LazySpec(_Section):
    kind: Literal["lazy"]
    base: "ModelSpec" = Field(description="the model f that is scaled (its own model table)")
    alpha: PositiveFloat = Field(description="the scale α; train for t_max = T/α² (the loss L/α² of Chizat et al.)")
    center: bool = Field(True, description="α(f(w) − f(w₀)); false: αf(w), for a paired init with f(w₀) = 0")
    linearized: bool = Field(False, description="replace f by its linearization at w₀")

    def build(self, problem: problems.AbstractProblem) -> models.LazyModel:
        return models.LazyModel(self.base.build(problem), float(self.alpha), self.center, self.linearized)


ModelSpec = Annotated[Union[TwoLayerLinearSpec, LinearSpec, DiagonalLinearSpec, QuadraticNetworkSpec, DeepLinearSpec,
                            SymmetricFactorizationSpec, TwoLayerReLUSpec, LazySpec], Field(discriminator="kind")]
LazySpec.model_rebuild()


# --- init ------------------------------------------------------------------------------------

class _GaussianFields(_Section):
    scale: PositiveFloat = 1.0
    width_exponent: float = Field(0.0, description="α in std = scale·width^(−α)")

    def gaussian(self, factor_scales: dict[str, float] | None = None) -> initializations.Gaussian:
        return initializations.Gaussian(_f(self.scale), _f(self.width_exponent),
                                        {k: _f(v) for k, v in (factor_scales or {}).items()})


class GaussianSpec(_GaussianFields):
    kind: Literal["gaussian"]
    factor_scales: dict[str, PositiveFloat] = Field(
        default_factory=dict, description="per-array scale overrides, e.g. {U = 0.5, V = 0.02}")

    def build(self, model, problem):
        unknown = set(self.factor_scales) - set(model.param_shapes())
        if unknown:
            raise SpecError("init.factor_scales", f"no parameter named {sorted(unknown)}",
                            f"use names among {sorted(model.param_shapes())}")
        return self.gaussian(self.factor_scales)


class BalancedSpec(_GaussianFields):
    kind: Literal["balanced"]

    def build(self, model, problem):
        _need_model(model, problem, "balanced", (models.TwoLayerLinear, models.DeepLinear))
        _need_width(model, model.output_dim, "balanced", "output_dim")
        return initializations.Balanced(self.gaussian())


class ZeroImbalanceSpec(_GaussianFields):
    kind: Literal["zero_imbalance"]

    def build(self, model, problem):
        _need_model(model, problem, "zero_imbalance", (models.TwoLayerLinear,), problems.Regression)
        _need_width(model, model.output_dim, "zero_imbalance", "output_dim")
        if problem.rank < model.output_dim:
            raise SpecError("init.kind", f"zero_imbalance needs rank X ≥ output_dim, got {problem.rank}",
                            "use more samples or the 'balanced' init")
        return initializations.ZeroImbalance(self.gaussian())


class InvariantSetSpec(_GaussianFields):
    kind: Literal["invariant_set"]

    def build(self, model, problem):
        _need_model(model, problem, "invariant_set", (models.TwoLayerLinear,), problems.Regression)
        return initializations.InvariantSet(self.gaussian())


class ImbalanceSpec(_Section):
    kind: Literal["imbalance"]
    level: float = Field(description="λ_r(D(0)) if > 0, or −λ_m(−D(0)) if < 0")

    @field_validator("level")
    @classmethod
    def _nonzero(cls, v):
        if v == 0:
            raise ValueError("must be nonzero (zero init is a saddle that never moves)")
        return v

    def build(self, model, problem):
        _need_model(model, problem, "imbalance", (models.TwoLayerLinear,), problems.Regression)
        if self.level > 0:
            _need_width(model, problem.rank, "imbalance with level > 0", "rank X")
        else:
            _need_width(model, model.output_dim, "imbalance with level < 0", "output_dim")
        return initializations.Imbalance(_f(self.level))


class NTKGaussianSpec(_Section):
    kind: Literal["ntk_gaussian"]
    kappa: PositiveFloat = Field(1.0, description="std κ of the first-layer weights; output weights ±1")

    def build(self, model, problem):
        _need_model(model, problem, self.kind, (models.TwoLayerReLU,))
        return initializations.SignGaussian(_f(self.kappa))


class AntisymmetricSpec(NTKGaussianSpec):
    kind: Literal["antisymmetric"]

    def build(self, model, problem):
        _need_model(model, problem, self.kind, (models.TwoLayerReLU,))
        if model.width % 2:
            raise SpecError("model.width", f"the antisymmetric init pairs neurons; width {model.width} is odd",
                            "use an even width")
        return initializations.Antisymmetric(initializations.SignGaussian(_f(self.kappa)))


def _need_width(model, minimum: int, what: str, name: str) -> None:
    if model.width < minimum:
        raise SpecError("model.width", f"{what} init needs width ≥ {name} = {minimum}, got {model.width}",
                        f"set model.width ≥ {minimum}")


class DiagonalScaleSpec(_Section):
    kind: Literal["diagonal_scale"]
    scale: PositiveFloat = Field(description="α: u = v = α (difference), u = √2α, v = 0 (product)")

    def build(self, model, problem):
        _need_model(model, problem, "diagonal_scale", (models.DiagonalLinear,))
        return initializations.DiagonalScale(_f(self.scale))


class TeacherOverlapSpec(_Section):
    kind: Literal["teacher_overlap"]
    overlap: NonNegativeFloat = Field(0.0, description="m: M(0) = m·Z, Z i.i.d. N(0, 1) (0: the random O(N^-1/2))")
    scale: PositiveFloat = Field(1.0, description="std of the random part: Q⊥(0) ≈ scale²·I")
    row_scales: list[PositiveFloat] | None = Field(None, description="one std per hidden unit (anisotropic), "
                                                   "instead of scale")

    def build(self, model, problem):
        scales = self.row_scales if self.row_scales is not None else [self.scale] * model.width
        if len(scales) != model.width:
            raise SpecError("init.row_scales", f"has {len(scales)} entries for width {model.width}",
                            "give one scale per hidden unit")
        return initializations.TeacherOverlap(_f(self.overlap), jnp.asarray(scales, dtype=jnp.float64))


class AlignedSpec(_Section):
    kind: Literal["aligned"]
    scale: PositiveFloat = Field(description="every mode of X⁺Y starts at this strength σ₀")

    def build(self, model, problem):
        _need_model(model, problem, "aligned", (models.TwoLayerLinear, models.DeepLinear), problems.Regression)
        n, m = _dims(problem)
        _need_width(model, min(n, m), "aligned", "min(input_dim, output_dim)")
        return initializations.Aligned(_f(self.scale))


class ScaledIdentitySpec(_Section):
    kind: Literal["scaled_identity"]
    scale: PositiveFloat = Field(description="every parameter array is scale × I")

    def build(self, model, problem):
        return initializations.ScaledIdentity(_f(self.scale))


def _need_model(model, problem, what: str, model_types: tuple[type, ...],
                problem_type: type = problems.AbstractProblem) -> None:
    if not isinstance(model, model_types):
        raise SpecError("init.kind", f"'{what}' is not defined for model {type(model).__name__}",
                        f"use it with {' or '.join(t.__name__ for t in model_types)}, or another init")
    if not isinstance(problem, problem_type):
        raise SpecError("init.kind", f"'{what}' is not defined for problem {type(problem).__name__}",
                        f"use it on a {problem_type.__name__} problem, or another init")


InitSpec = Annotated[Union[GaussianSpec, BalancedSpec, ZeroImbalanceSpec, InvariantSetSpec, ImbalanceSpec,
                           DiagonalScaleSpec, TeacherOverlapSpec, AlignedSpec, ScaledIdentitySpec, NTKGaussianSpec,
                           AntisymmetricSpec],
                     Field(discriminator="kind")]


# --- dynamics --------------------------------------------------------------------------------

class _StopFields(_Section):
    t_max: PositiveFloat = Field(description="gradient-flow time to stop at (steps × lr for GD/SGD; "
                                "α = steps/N for SGD on online_teacher_student)")
    stop_loss: NonNegativeFloat = Field(0.0, description="stop once the loss is below this")


class GradientFlowSpec(_StopFields):
    kind: Literal["gradient_flow"]
    rtol: PositiveFloat = 1e-10
    atol: PositiveFloat = 1e-12
    solver: Literal["tsit5", "dopri5", "dopri8"] = "tsit5"
    max_steps: PositiveInt = 1_000_000
    clock: Literal["linear", "log", "loss"] = Field(
        "linear", description="'log': integrate in s = log(1+t) (tiny losses); 'loss': in τ = log(L(0)/L), "
                              "where only the limit matters (times are then τ)")

    def build(self):
        return dynamics.GradientFlow(_f(self.t_max), _f(self.stop_loss), _f(self.rtol), _f(self.atol),
                                     self.solver, self.max_steps, self.clock)


class ModifiedGradientFlowSpec(GradientFlowSpec):
    kind: Literal["modified_gradient_flow"]
    step: PositiveFloat = Field(description="h in the modified loss L + (h/4)‖∇L‖² (the GD step it models)")

    def build(self):
        return dynamics.ModifiedGradientFlow(super().build(), _f(self.step))


class GradientDescentSpec(_StopFields):
    kind: Literal["gradient_descent"]
    lr: PositiveFloat
    max_steps: PositiveInt = 10_000_000
    objective: Literal["loss", "log_loss"] = Field(
        "loss", description="log_loss: descend log L, i.e. steps η/L (Nacson et al. 2019), which reach L = 1e-300 "
                            "and beyond on separable data; time is then kη in the clock ds = L dt")

    def build(self):
        return dynamics.GradientDescent(_f(self.lr), _f(self.t_max), _f(self.stop_loss), self.max_steps,
                                        self.objective)


class SGDSpec(_StopFields):
    kind: Literal["sgd"]
    lr: PositiveFloat
    batch_size: PositiveInt = 1
    max_steps: PositiveInt = 10_000_000
    block: PositiveInt = Field(8, description="steps whose samples are drawn in one generator call")

    def build(self):
        return dynamics.SGD(_f(self.lr), _f(self.t_max), _f(self.stop_loss), self.batch_size, self.max_steps,
                            self.block)


DynamicsSpec = Annotated[Union[GradientFlowSpec, GradientDescentSpec, SGDSpec, ModifiedGradientFlowSpec],
                         Field(discriminator="kind")]


# --- observe, sweep, whole spec --------------------------------------------------------------

class ObserveSpec(_Section):
    quantities: list[str] = Field(default_factory=lambda: ["loss"])
    n_times: int = Field(100, ge=2, description="record times: t = 0 and n_times − 1 log-spaced ones")
    t_min: PositiveFloat = 1e-2
    grid: Literal["log", "linear"] = Field("log", description="spacing of the n_times − 1 nonzero times")

    @field_validator("quantities")
    @classmethod
    def _known(cls, v):
        for name in v:
            if name not in OBSERVABLES:
                raise ValueError(f"unknown observable '{name}'; choose from {sorted(OBSERVABLES)}")
        if len(set(v)) != len(v):
            raise ValueError("lists an observable twice")
        return v


Scalar = bool | int | float | str

#: Init kinds that apply to the quadratic network (the others use the linear network's factors).
QUADRATIC_INITS = ("gaussian", "teacher_overlap")


class Spec(_Section):
    name: str = "experiment"
    seed: NonNegativeInt = 0
    problem: ProblemSpec
    model: ModelSpec
    init: InitSpec
    dynamics: DynamicsSpec
    observe: ObserveSpec = ObserveSpec()
    sweep: dict[str, list[Scalar]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _components_fit(self):
        # The quadratic network is defined on the online teacher–student problem, and only
        # the Gaussian inits know its parameters; the linear network needs a data set.
        quadratic = self.model.kind == "quadratic_network"
        if quadratic != (self.problem.kind == "online_teacher_student"):
            raise SpecError("model.kind", f"'{self.model.kind}' does not apply to problem '{self.problem.kind}'",
                            "pair quadratic_network with online_teacher_student; other models need a data set")
        if quadratic and self.init.kind not in QUADRATIC_INITS:
            raise SpecError("init.kind", f"'{self.init.kind}' is not defined for quadratic_network",
                            f"use one of {list(QUADRATIC_INITS)}")
        return self

    @property
    def hash(self) -> str:
        """Hash of the validated spec (defaults filled in): equal specs, equal hash."""
        return _digest(self.model_dump(mode="json"))


def _digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


class RunPoint(BaseModel):
    """One run of a sweep: its coordinates and its fully resolved spec (no sweep)."""

    model_config = ConfigDict(frozen=True)
    coords: dict[str, Scalar]
    spec: Spec

    @property
    def run_id(self) -> str:
        return _digest(self.spec.model_dump(mode="json", exclude={"name"}))


# --- loading and errors ----------------------------------------------------------------------

_FIXES = {
    "extra_forbidden": "remove it or check its spelling",
    "missing": "add it",
    "union_tag_invalid": "use one of the kinds listed",
    "literal_error": "use one of the values listed",
}


def _field_path(loc: tuple, raw: dict) -> str:
    # Tagged unions put the tag in the location ("init.gaussian.scale"); users wrote "init.scale".
    parts, node = [], raw
    for item in loc:
        if isinstance(node, dict) and isinstance(item, str) and item not in node and node.get("kind") == item:
            continue
        parts.append(f"[{item}]" if isinstance(item, int) else str(item))
        node = node.get(item) if isinstance(node, dict) else (
            node[item] if isinstance(node, list) and isinstance(item, int) and item < len(node) else None)
    return ".".join(parts).replace(".[", "[")


def spec_error(error: ValidationError, raw: dict, prefix: str = "") -> SpecError:
    errors = error.errors()
    # A SpecError raised by a validator already names its field and fix.
    wrapped = errors[0].get("ctx", {}).get("error")
    if isinstance(wrapped, SpecError):
        return wrapped
    # A misspelt key shows up as "unknown key" plus "missing": report the unknown key, and
    # suggest the missing name beside it.
    first = min(errors, key=lambda e: e["type"] != "extra_forbidden")
    field = prefix + _field_path(first["loc"], raw) if first["loc"] else (prefix.rstrip(".") or "spec")
    message = first["msg"].removeprefix("Value error, ")
    fix = _FIXES.get(first["type"], "see the spec reference in the README")
    if first["type"] in ("union_tag_invalid", "union_tag_not_found"):
        field += ".kind"
        message = f"unknown kind {first['input'].get('kind')!r}" if first["type"] == "union_tag_invalid" else "missing"
        fix = f"use one of {first['ctx']['expected_tags']}"
    if first["type"] == "extra_forbidden":
        message = "unknown key"
        missing = [e["loc"][-1] for e in errors if e["type"] == "missing" and e["loc"][:-1] == first["loc"][:-1]]
        if missing:
            fix = f"did you mean '{missing[0]}'?"
    return SpecError(field, message, fix)


def validate_spec(raw: dict) -> Spec:
    """Validate a spec given as a dict (as parsed from TOML); raise :class:`SpecError`."""
    try:
        spec = Spec.model_validate(raw)
    except ValidationError as e:
        raise spec_error(e, raw) from None
    expand(spec, raw)  # validates every sweep point too
    return spec


def load_spec(path: str | Path) -> tuple[Spec, Path]:
    """Read and validate a TOML spec; returns it and the directory data paths are relative to."""
    path = Path(path)
    if not path.is_file():
        raise SpecError("SPEC", f"file '{path}' does not exist", "give the path of a .toml spec")
    try:
        raw = tomllib.loads(path.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise SpecError("SPEC", f"'{path.name}' is not valid TOML ({e})", "fix the TOML syntax") from None
    return validate_spec(raw), path.resolve().parent


def _set_path(tree: dict, dotted: str, value) -> None:
    *parents, leaf = dotted.split(".")
    for key in parents:
        node = tree.get(key)
        if not isinstance(node, dict):
            raise SpecError(f"sweep.{dotted}", f"'{key}' is not a section of the spec",
                            "name a field as 'section.field', e.g. 'model.width'")
        tree = node
    if isinstance(tree.get(leaf), (dict, list)):
        raise SpecError(f"sweep.{dotted}", "is not a scalar field", "sweep over scalar fields only")
    tree[leaf] = value


def expand(spec: Spec, raw: dict | None = None) -> list[RunPoint]:
    """The sweep's grid (Cartesian product, in the order the axes are given), one
    :class:`RunPoint` per combination; a spec without ``[sweep]`` is one run."""
    # Only the fields the user set, so that each point knows which were given (data files check).
    base = spec.model_dump(mode="json", exclude={"sweep"}, exclude_unset=True)
    raw = raw if raw is not None else base
    axes = list(spec.sweep.items())
    for key, values in axes:
        if key.startswith("observe."):
            raise SpecError(f"sweep.{key}", "observe settings are shared by all runs of a sweep",
                            "set them in [observe] instead")
        if not values:
            raise SpecError(f"sweep.{key}", "is empty", "give at least one value")
    points = []
    for combo in itertools.product(*(values for _, values in axes)):
        tree = json.loads(json.dumps(base))
        coords = dict(zip((k for k, _ in axes), combo))
        for key, value in coords.items():
            _set_path(tree, key, value)
        try:
            points.append(RunPoint(coords=coords, spec=Spec.model_validate(tree)))
        except ValidationError as e:
            err = spec_error(e, tree)
            swept = next((k for k in coords if err.field == k or err.field.startswith(k + ".")), None)
            if swept is not None:
                raise SpecError(f"sweep.{swept}", f"value {coords[swept]!r}: {err.problem}", err.fix) from None
            raise err from None
    return points


def observation_times(points: list[RunPoint]) -> np.ndarray:
    """t = 0, then ``n_times − 1`` log-spaced times from ``t_min`` to the largest ``t_max``
    of the sweep: one time axis for every run, so runs compare pointwise."""
    observe = points[0].spec.observe
    t_max = max(p.spec.dynamics.t_max for p in points)
    t_min = min(observe.t_min, t_max)
    # With one nonzero time it must be t_max (geomspace would give t_min).
    spaced = np.geomspace if observe.grid == "log" else np.linspace
    grid = spaced(t_min, t_max, observe.n_times - 1) if observe.n_times > 2 else [t_max]
    return np.concatenate([[0.0], grid])


def build_init(init: InitSpec, model, problem):
    """The init a run of ``model`` starts from. A wrapper model (``lazy``) is initialized as the
    model it wraps, and keeps that starting point as its w₀ (:class:`initializations.AtInit`)."""
    if isinstance(model, models.LazyModel):
        return initializations.AtInit(build_init(init, model.base, problem))
    return init.build(model, problem)


def check_observables(spec: Spec, model, problem) -> None:
    """Every requested observable is defined for this model and problem: by type, then by what
    this run's model and data provide (each observable's ``validate``)."""
    for i, name in enumerate(spec.observe.quantities):
        if not OBSERVABLES[name].applies_to(type(model), type(problem)):
            raise SpecError(f"observe.quantities[{i}]",
                            f"'{name}' is not defined for model '{spec.model.kind}' on problem '{spec.problem.kind}'",
                            "remove it")
        if OBSERVABLES[name].validate is not None:
            OBSERVABLES[name].validate(model, problem)
