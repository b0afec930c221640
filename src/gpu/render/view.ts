/** What part of configuration space a picture shows. */
export interface View {
  /** coordinates on the horizontal and vertical axes */
  dims: [number, number];
  /** view box, length units: [x_min, x_max, y_min, y_max] */
  box: [number, number, number, number];
  /** energies at the bottom and top of the colour ramp */
  energyRange: [number, number];
}
