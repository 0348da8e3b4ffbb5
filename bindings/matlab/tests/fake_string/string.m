classdef string
% A stand-in for MATLAB's string scalar in Octave, which has no string class: an
% object of class 'string' that char() turns into its text. test_habits puts this
% folder on the path only while it checks that every text argument takes a string.
  properties (Access = private)
    text
  end
  methods
    function obj = string(text), obj.text = text; end
    function c = char(obj), c = obj.text; end
  end
end
