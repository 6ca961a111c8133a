/**
 * What an attribution method contributes to the compiled graph. The compiler hands each method a
 * context with the graph builder, the input and a way to ask for gradients of the target score; the
 * method builds its own head from those. The core never branches on method names.
 */
import type { RectifierRule } from '../grad/types.js';
import type { GraphBuilder } from '../ir/builder.js';
import type { Graph } from '../ir/graph.js';
import type { Preset } from '../image/preset.js';
import type { InputLayout } from '../compile/layout.js';

export interface MethodOptions {
  /** Target layer for CAM methods: a value or node name (default: the last layer with spatial size > 1). */
  layer?: string;
}

export interface MethodContext {
  readonly b: GraphBuilder;
  /** The image input value. */
  readonly input: string;
  /** The input's layout: CAM maps are returned at the input's resolution in the same layout. */
  readonly layout: InputLayout;
  readonly options: MethodOptions;
  /**
   * ∂(target score)/∂value with the given rectifier rule. When the compiler can prove the gradient does
   * not depend on a backward pass (static Grad-CAM), it is built from the weights instead.
   */
  gradient(wrt: string, rectifier: RectifierRule): string;
  /** The target layer for CAM methods, validated (4-D, spatial size > 1, on the path to the score). */
  layer(): string;
}

export interface MethodOutput {
  /** Attribution at the input's resolution (the input's shape, or one channel for maps: [B,1,H,W] / [B,H,W,1]). */
  attribution: string;
  /** The map at the target layer's resolution, for CAM methods ([B, 1, h, w]). */
  layerMap?: string;
}

/** A method whose explanation is one pass of one compiled graph. */
export interface AttributionMethod {
  readonly name: string;
  /** One line for --help and docs. */
  readonly summary: string;
  /** Whether the attribution is signed (affects the default heat-map reduction). */
  readonly signed: boolean;
  /** 'gradient': an input-resolution gradient (SmoothGrad can wrap it); 'cam': a layer map. */
  readonly family: 'gradient' | 'cam';
  build(ctx: MethodContext): MethodOutput;
}

/** Options of the methods that drive several runs (Integrated Gradients, SmoothGrad). */
export interface DrivenOptions {
  steps?: number;
  scheme?: string;
  baseline?: string;
  maxBatch?: number;
  pilotSteps?: number;
  targetDelta?: number;
  maxSteps?: number;
  seed?: number;
}

export interface DriverContext {
  /** The canonical model compiled for `batch` points. */
  model(batch: number): Graph;
  /** One image [1, …] in the model's input layout. */
  input: Float32Array;
  dims: readonly number[];
  /** Class to explain; −1 = the top-1 class of the input. */
  target: number;
  preset?: Preset;
  options: DrivenOptions;
  threads?: number;
  /** Progress lines for long runs (stderr in the CLI). */
  progress?(message: string): void;
}

export interface DriverResult {
  attribution: Float32Array;
  attributionDims: number[];
  /** Logits of the input itself. */
  logits: Float32Array;
  target: number;
  /** Method-specific facts for the report (steps used, convergence error, …). */
  details: Record<string, unknown>;
}

/** A method that explains one image through several runs of compiled graphs, driven from JavaScript. */
export interface DrivenMethod {
  readonly name: string;
  readonly summary: string;
  readonly signed: boolean;
  drive(ctx: DriverContext): Promise<DriverResult>;
  /** The standalone explained graph for `heatlens compile` (its inputs documented in `inputs`). */
  standalone(model: (batch: number) => Graph, options: DrivenOptions): { graph: Graph; inputs: string[] };
}

export type AnyMethod = AttributionMethod | DrivenMethod;

export const isDriven = (m: AnyMethod): m is DrivenMethod => 'drive' in m;
